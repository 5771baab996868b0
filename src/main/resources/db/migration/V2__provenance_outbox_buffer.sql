-- Provenance (which task and which messages each memory came from) and idempotency by task id.
ALTER TABLE user_events
    ADD COLUMN task_id VARCHAR(64) NULL COMMENT '来源任务ID',
    ADD COLUMN session_id VARCHAR(64) NULL,
    ADD COLUMN source_msg_ids JSON NULL COMMENT '来源消息ID列表',
    ADD INDEX idx_task (task_id);

ALTER TABLE conversation_summaries
    ADD COLUMN task_id VARCHAR(64) NULL COMMENT '来源任务ID',
    ADD COLUMN session_id VARCHAR(64) NULL,
    ADD COLUMN source_msg_ids JSON NULL COMMENT '来源消息ID列表',
    ADD UNIQUE KEY uk_task (task_id),
    ADD INDEX idx_session (user_id, character_id, session_id);

-- Outbox bookkeeping: a task row is written first, then published; unpublished or due rows are republished.
ALTER TABLE memory_generation_tasks
    ADD COLUMN session_id VARCHAR(64) NULL,
    ADD COLUMN trigger_type VARCHAR(32) NULL,
    ADD COLUMN published_at TIMESTAMP NULL,
    ADD COLUMN next_attempt_at TIMESTAMP NULL,
    ADD INDEX idx_outbox (status, published_at, next_attempt_at);

-- Messages reported one by one (POST /v1/messages), kept durably until a task is cut from them.
CREATE TABLE buffered_messages (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(64) NOT NULL,
    character_id VARCHAR(64) NOT NULL,
    session_id VARCHAR(64) NOT NULL,
    message JSON NOT NULL,
    received_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX idx_session (user_id, character_id, session_id, id),
    INDEX idx_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='待生成记忆的消息缓冲';
