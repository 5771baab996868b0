-- One memory model, versioned (issue 13). MySQL is the source of truth for every memory and each of its versions; the
-- index holds the active version of each memory for search. A memory keeps the id it has in the index:
-- {task}:summary, {task}:event:{i}, {task}:msg:{msg_id}, profile:{sha1(user,character,type,key)}, event:{sha1(...)}
-- for a recurring event (birthday, anniversary), mem-{hash} for an import. Ids compare byte for byte (V6's id_collation:
-- binary, no padding). Times are UTC; DATETIME, not TIMESTAMP, so a memory of any date (an import of 1970 or 2040) fits.

CREATE TABLE memories (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    memory_type ENUM('summary', 'event', 'profile', 'message', 'entity') NOT NULL,
    category ENUM('fact', 'preference', 'context', 'skill', 'general') NOT NULL DEFAULT 'general',
    content MEDIUMTEXT NOT NULL,
    importance TINYINT UNSIGNED NOT NULL DEFAULT 5 COMMENT '1-10',
    confidence DECIMAL(3,2) NOT NULL DEFAULT 1.00 COMMENT '0-1',
    metadata JSON NULL,
    source ENUM('extractor', 'user', 'import', 'system') NOT NULL,
    -- provenance: the conversation and messages it came from, and the generation task that last wrote it
    session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    source_msg_ids JSON NULL,
    status ENUM('active', 'deleted') NOT NULL DEFAULT 'active',
    version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    -- validity in the world (bi-temporal): from when the current version holds, and until when (NULL: still holds)
    valid_from DATETIME(3) NULL,
    valid_to DATETIME(3) NULL,
    INDEX idx_owner_created (user_id, character_id, created_at, memory_id),
    INDEX idx_user_created (user_id, created_at, memory_id),
    INDEX idx_task (task_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆（当前版本）';

-- Every version of every memory, the first one included: a snapshot of the fields, what changed, why and who.
-- user_id and character_id are repeated so that a forget and an export reach the versions by owner.
CREATE TABLE memory_versions (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    version INT UNSIGNED NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    memory_type ENUM('summary', 'event', 'profile', 'message', 'entity') NOT NULL,
    category ENUM('fact', 'preference', 'context', 'skill', 'general') NOT NULL,
    content MEDIUMTEXT NOT NULL,
    importance TINYINT UNSIGNED NOT NULL,
    confidence DECIMAL(3,2) NOT NULL,
    metadata JSON NULL,
    status ENUM('active', 'deleted') NOT NULL,
    session_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    task_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    source_msg_ids JSON NULL,
    valid_from DATETIME(3) NULL,
    valid_to DATETIME(3) NULL COMMENT 'set when a later version superseded this one in the world',
    op ENUM('create', 'update', 'delete', 'restore') NOT NULL,
    changed JSON NOT NULL COMMENT 'names of the fields this version changed',
    reason VARCHAR(500) NULL,
    actor VARCHAR(64) NOT NULL COMMENT 'API key name, extractor or system',
    changed_at DATETIME(3) NOT NULL,
    UNIQUE KEY uk_version (memory_id, version),
    INDEX idx_owner (user_id, character_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆版本';

-- The seed tables stay as they are, the current state of their kinds, linked to their memory by id: an event's and a
-- summary's vector_id is its memory id; a profile row's is profile:{sha1} of its unique key (MemoryIds.profile).

-- Back-fill: every profile, event and summary row becomes a memory with one version. Content follows what the
-- extractor indexes (an event's date appended; a profile as "key: value"). Messages and imports written before this
-- migration live only in the index and are not back-filled.
INSERT IGNORE INTO memories (memory_id, user_id, character_id, memory_type, category, content, importance, confidence,
    metadata, source, session_id, task_id, source_msg_ids, status, version, created_at, updated_at, valid_from,
    valid_to)
SELECT CONCAT('profile:', SHA1(CONCAT_WS(CHAR(0 USING utf8mb4), user_id, character_id, profile_type, profile_key))),
    user_id, character_id, 'profile', IF(profile_type = 'preference', 'preference', 'fact'),
    CONCAT(profile_key, ': ', profile_value), 7, COALESCE(confidence, 1.00),
    JSON_OBJECT('profile_type', profile_type, 'profile_key', profile_key, 'profile_value', profile_value),
    'extractor', NULL, NULL, IF(source_msg_id IS NULL, JSON_ARRAY(), JSON_ARRAY(source_msg_id)),
    IF(is_deleted = 1, 'deleted', 'active'), 1, COALESCE(created_at, extracted_at),
    COALESCE(updated_at, extracted_at), extracted_at, NULL
FROM user_profiles;

INSERT IGNORE INTO memories (memory_id, user_id, character_id, memory_type, category, content, importance, confidence,
    metadata, source, session_id, task_id, source_msg_ids, status, version, created_at, updated_at, valid_from,
    valid_to)
SELECT vector_id, user_id, character_id, 'event', 'fact',
    IF(d IS NULL OR LOCATE(d, s) > 0, s, CONCAT(s, ' (', d, ')')), LEAST(GREATEST(COALESCE(importance, 5), 1), 10),
    1.00, JSON_OBJECT('event_type', event_type, 'event_title', event_title, 'event_date', d),
    'extractor', session_id, task_id, COALESCE(source_msg_ids, JSON_ARRAY()),
    IF(is_deleted = 1, 'deleted', 'active'), 1, created_at, COALESCE(updated_at, created_at), created_at, NULL
FROM (SELECT e.*, IF(event_summary = '', event_title, event_summary) AS s,
        CASE WHEN event_date IS NULL THEN NULL WHEN YEAR(event_date) = 2000 THEN DATE_FORMAT(event_date, '%m-%d')
             ELSE DATE_FORMAT(event_date, '%Y-%m-%d') END AS d
      FROM user_events e WHERE vector_id IS NOT NULL) AS events;

INSERT IGNORE INTO memories (memory_id, user_id, character_id, memory_type, category, content, importance, confidence,
    metadata, source, session_id, task_id, source_msg_ids, status, version, created_at, updated_at, valid_from,
    valid_to)
SELECT vector_id, user_id, character_id, 'summary', 'context', summary_text, 5, 1.00,
    JSON_OBJECT('topics', JSON_QUERY(COALESCE(topic_tags, JSON_ARRAY()), '$'), 'emotion', emotion_tone),
    'extractor', session_id, task_id, COALESCE(source_msg_ids, JSON_ARRAY()),
    IF(is_deleted = 1, 'deleted', 'active'), 1, created_at, created_at, end_time, NULL
FROM conversation_summaries;

INSERT INTO memory_versions (memory_id, version, user_id, character_id, memory_type, category, content, importance,
    confidence, metadata, status, session_id, task_id, source_msg_ids, valid_from, valid_to, op, changed, reason, actor,
    changed_at)
SELECT memory_id, 1, user_id, character_id, memory_type, category, content, importance, confidence, metadata, status,
    session_id, task_id, source_msg_ids, valid_from, valid_to, 'create', JSON_ARRAY(), 'back-filled by migration V8',
    'system', created_at
FROM memories;
