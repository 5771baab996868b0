-- Conflicts between memories (issue 14): the seed's ConflictReport (004 §6.1), stored, with its review.
--
-- Side a is the older statement, side b the newer; both may be versions of one memory (a profile fact stated with
-- a new value: memory_a = memory_b) or two memories. memory_id is the seed's field: the memory the report is about,
-- the newer side. A report is written once per (type, both sides at their versions): conflict_id is derived from
-- them, so a task's replay finds it there. It keeps both contents as they were judged, so what was merged or
-- superseded stays readable here; forgetting the owner or erasing either memory deletes it.
CREATE TABLE memory_conflicts (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT COMMENT 'keyset paging, newest first',
    conflict_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'the newer side',
    conflict_type ENUM('duplicate', 'outdated', 'contradiction', 'inconsistent') NOT NULL,
    memory_a VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    version_a INT UNSIGNED NOT NULL,
    content_a MEDIUMTEXT NOT NULL,
    memory_b VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    version_b INT UNSIGNED NOT NULL COMMENT '0: a restatement merged on write, never stored as a memory',
    content_b MEDIUMTEXT NOT NULL,
    severity DECIMAL(3,2) NOT NULL COMMENT '0-1',
    evidence JSON NOT NULL,
    suggested_resolution VARCHAR(500) NULL,
    detector ENUM('structure', 'rules', 'llm') NOT NULL,
    detected_at DATETIME(3) NOT NULL,
    resolved TINYINT(1) NOT NULL DEFAULT 0,
    resolution VARCHAR(32) NULL COMMENT 'kept_a, kept_b, merged, content, merged_on_write',
    resolution_detail JSON NULL COMMENT 'the versions the resolution wrote',
    resolved_at DATETIME(3) NULL,
    resolved_by VARCHAR(64) NULL COMMENT 'API key name, or system (auto-resolved)',
    UNIQUE KEY uk_conflict (conflict_id),
    INDEX idx_owner (user_id, character_id, id),
    INDEX idx_memory_a (memory_a),
    INDEX idx_memory_b (memory_b)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆冲突报告';
