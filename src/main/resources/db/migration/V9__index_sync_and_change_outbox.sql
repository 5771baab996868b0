-- Two journals written in the same MySQL transaction as a memory's change (issue 13).
--
-- memory_index_sync: the memories whose index record must be brought to their MySQL state. A write commits MySQL
-- first, with its row here, then brings the index along and removes the row; a crash (or an index away) between the
-- two leaves the row, and the sweeper of the next start (or of any writer node) finishes the work. So the index never
-- holds what MySQL does not, and never keeps what MySQL no longer has, for longer than a sweep. seq counts the marks:
-- a sync removes the row only at the seq it read, so a mark written meanwhile stays for the sync after it.
CREATE TABLE memory_index_sync (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    seq INT UNSIGNED NOT NULL DEFAULT 1,
    queued_at DATETIME(3) NOT NULL,
    INDEX idx_queued (queued_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆索引待同步';

-- memory_change_outbox: one row per change of a memory (a version written, or the memory erased), to be published on
-- Kafka topic memory_changes. event_id grows in commit order for each memory (its writers hold the memory's row
-- lock), so publishing in event_id order keeps each memory's events in order.
CREATE TABLE memory_change_outbox (
    event_id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    event ENUM('create', 'update', 'delete', 'restore') NOT NULL,
    hard TINYINT(1) NOT NULL DEFAULT 0 COMMENT '1: erased from every store (a hard delete)',
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    version INT UNSIGNED NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    memory_type ENUM('summary', 'event', 'profile', 'message', 'entity') NOT NULL,
    actor VARCHAR(64) NOT NULL,
    changed_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆变更事件待发布';
