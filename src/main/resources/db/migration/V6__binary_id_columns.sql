-- Ids compare exactly, byte for byte, as they do in the index and the object store. Under the tables' default
-- utf8mb4_unicode_ci, 'bob1', 'BOB1', 'bob1 ', 'bób1', 'ｂob1' and 'bo\u0300b1' were one user in SQL and six in the
-- index: a session of one overwrote another's profile, a forget of one deleted another's rows. Every identifier
-- column, and so every key and index holding one, now uses a binary NO PAD collation (trailing spaces count too;
-- utf8mb4_bin is PAD SPACE): the placeholder id_collation is utf8mb4_nopad_bin on MariaDB and utf8mb4_0900_bin on
-- MySQL 8 (Mysql.migrate picks it). Rows are kept as they are; what the old collation had already merged stays merged.

ALTER TABLE user_profiles
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '用户ID (tenant:user_id)',
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '角色ID',
    MODIFY source_msg_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT '来源消息ID';

ALTER TABLE user_events
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '用户ID (tenant:user_id)',
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '角色ID',
    MODIFY vector_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'VikingDB向量ID',
    MODIFY task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT '来源任务ID',
    MODIFY session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL;

ALTER TABLE conversation_summaries
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '用户ID (tenant:user_id)',
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '角色ID',
    MODIFY vector_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'VikingDB向量ID',
    MODIFY archive_path VARCHAR(512) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'TOS归档路径',
    MODIFY task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT '来源任务ID',
    MODIFY session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL;

ALTER TABLE memory_generation_tasks
    MODIFY task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT '任务ID',
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    MODIFY session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL;

ALTER TABLE buffered_messages
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    MODIFY session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL;

-- The generated scope column and its unique key are made again over the new collation (a base column of a
-- generated one is not modified in place on every server).
ALTER TABLE forgotten_users
    DROP INDEX uk_scope,
    DROP COLUMN character_key;
ALTER TABLE forgotten_users
    MODIFY user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    MODIFY character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'NULL: all characters',
    ADD COLUMN character_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation}
        GENERATED ALWAYS AS (COALESCE(character_id, '')) STORED,
    ADD UNIQUE KEY uk_scope (user_id, character_key);
