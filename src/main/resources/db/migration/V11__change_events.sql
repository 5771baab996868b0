-- Change events (issue 13): the outbox learns the forget event, and webhooks get a dead-letter table.
--
-- A forget is one event for its owner, not one per memory: memory_id, version and memory_type are NULL for it, and
-- character_id is NULL when every character of the user was forgotten.
ALTER TABLE memory_change_outbox
    MODIFY event ENUM('create', 'update', 'delete', 'restore', 'forget') NOT NULL,
    MODIFY memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'NULL: a forget',
    MODIFY version INT UNSIGNED NULL COMMENT 'NULL: a forget',
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL
        COMMENT 'NULL: a forget of all the user''s characters',
    MODIFY memory_type ENUM('summary', 'event', 'profile', 'message', 'entity') NULL COMMENT 'NULL: a forget';

-- An event a webhook kept refusing (max_attempts tries): kept for the operator, then the webhook moved on. One row per
-- webhook and event: a redelivery of the same event (at-least-once) that fails again updates it. Forgetting the
-- owner deletes their rows here too.
CREATE TABLE webhook_dead_letters (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    webhook VARCHAR(64) NOT NULL COMMENT 'the webhook''s name in change_events.webhooks',
    event_id BIGINT UNSIGNED NOT NULL,
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    body MEDIUMTEXT NOT NULL COMMENT 'the event JSON as it was posted',
    attempts INT UNSIGNED NOT NULL,
    last_status SMALLINT UNSIGNED NULL COMMENT 'HTTP status of the last try; NULL: no answer',
    last_error VARCHAR(1000) NULL,
    failed_at DATETIME(3) NOT NULL,
    UNIQUE KEY uk_webhook_event (webhook, event_id),
    INDEX idx_owner (user_id, character_id),
    INDEX idx_failed (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='webhook 投递失败的变更事件';
