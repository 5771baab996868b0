-- Inside Engram a user id is "tenant:user_id" (tenant up to 32 characters, the client's id up to 64).
ALTER TABLE user_profiles MODIFY user_id VARCHAR(128) NOT NULL COMMENT '用户ID (tenant:user_id)';
ALTER TABLE user_events MODIFY user_id VARCHAR(128) NOT NULL COMMENT '用户ID (tenant:user_id)';
ALTER TABLE conversation_summaries MODIFY user_id VARCHAR(128) NOT NULL COMMENT '用户ID (tenant:user_id)';
ALTER TABLE memory_generation_tasks MODIFY user_id VARCHAR(128) NOT NULL;
ALTER TABLE buffered_messages MODIFY user_id VARCHAR(128) NOT NULL;
ALTER TABLE forgotten_users MODIFY user_id VARCHAR(128) NOT NULL;
