-- The message ids each session has accepted (POST /v1/sessions, POST /v1/messages): a client's retry (the same
-- session_id and msg_ids) adds nothing, and new messages in a known session add only themselves. The unique key is
-- what makes ten identical posts at once accept each message once. Ids compare byte for byte (binary, no padding; the placeholder as in V6):
-- "m1" and "M1 " are two messages. A forget deletes the owner's rows with their tasks.
-- msg_id is wider than the API's 64 characters: co-located callers on the event bus are not validated, and an
-- over-long id must not stop a task from being created.
CREATE TABLE accepted_messages (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    msg_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    -- the request that accepted it (a session post: its task id; a buffered post: a request id)
    accepted_by VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- the task holding the message; NULL when it came through the buffer (the cut's task is not recorded here)
    task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    accepted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE KEY uk_accepted (user_id, character_id, session_id, msg_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='已接收的消息ID（幂等）';
