-- Forgetting and compression (issue 14): how often and how lately recall returned each memory, so that its retention
-- exp(-0.693 * idle / half_life(category)) can be computed, idle being the time since its last access (or its
-- creation), and the sweep's level from the accesses of the last 7 days. Written in batches by the recall side, never
-- on the recall's critical path: one row per memory and UTC day, primary key only, so that counting the accesses of
-- a memory costs one clustered write, and never waits for (or holds) a memory's row lock. The sweep folds days older
-- than 8 into the day 1970-01-01 (the lifetime count and last access stay). A forget finds a user's rows through
-- their memories.
CREATE TABLE memory_access (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    day DATE NOT NULL COMMENT 'UTC day of the accesses; 1970-01-01: the days folded in',
    hits INT UNSIGNED NOT NULL DEFAULT 0,
    last_at DATETIME(3) NOT NULL COMMENT 'the last access of that day',
    PRIMARY KEY (memory_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆每日访问';

-- The strongest compression level the sweep judged each memory at (1 light, 2 medium, 3 aggressive), compressed or
-- found not worth it: it is not weighed again until a stronger level is called for, and a restored memory stays.
CREATE TABLE memory_judged (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    level TINYINT UNSIGNED NOT NULL,
    judged_at DATETIME(3) NOT NULL,
    INDEX idx_owner (user_id, character_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆压缩评估';

-- The sweep reads active memories past a minimum age
CREATE INDEX idx_status_created ON memories (status, created_at);
