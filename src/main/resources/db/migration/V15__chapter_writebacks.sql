-- Chapter write-back (issue 15, seed 003 §6): the latest write-back of each chapter of a story project (owner as in
-- V14): its task, the chapter summary, and which extracted items were applied and which failed. A write-back of the
-- chapter again first removes what the previous one wrote (entity_states, entity_events and the entity_relations it
-- created carry writeback_id = the chapter), so a chapter written back twice leaves no duplicates.
CREATE TABLE chapter_writebacks (
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    chapter_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    summary TEXT NULL,
    applied JSON NOT NULL COMMENT 'counts of what was applied',
    failed JSON NOT NULL COMMENT '[{item, error}]',
    extractor VARCHAR(16) NOT NULL COMMENT 'llm or rules',
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (user_id, character_id, chapter_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='章节回写';
