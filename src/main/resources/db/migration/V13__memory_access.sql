-- Forgetting and compression (issue 14): how often and how lately recall returned each memory, so that its retention
-- exp(-0.693 * idle / half_life(category)) can be computed, idle being the time since its last access (or its
-- creation). Written in batches by the recall side, never on the recall's critical path; a table apart from
-- memories, so that counting an access never waits for (or holds) a memory's row lock.
CREATE TABLE memory_access (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    access_count INT UNSIGNED NOT NULL DEFAULT 0,
    last_accessed_at DATETIME(3) NULL,
    judged_level TINYINT UNSIGNED NOT NULL DEFAULT 0
        COMMENT 'the strongest compression level the sweep has judged it at (1 light, 2 medium, 3 aggressive)',
    INDEX idx_owner (user_id, character_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆访问统计';

-- Accesses per memory and UTC day: the sweep's level counts the last 7 days. Rows older than 8 days are pruned.
CREATE TABLE memory_access_days (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    day DATE NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    hits INT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (memory_id, day),
    INDEX idx_owner (user_id, character_id),
    INDEX idx_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆每日访问';

-- The sweep reads active memories past a minimum age
CREATE INDEX idx_status_created ON memories (status, created_at);
