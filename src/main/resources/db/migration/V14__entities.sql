-- Entities, their state history, relations and events (issue 15, seed 003 §3-§5): the people, pets, places, items and
-- organisations of a companion user's life, and the characters, items and locations of a story project. One model
-- for both: an owner is (user_id, character_id) as everywhere else; a story project's owner is the user id
-- 'tenant:project/{project_id}' with the character id '_project' (a client id cannot hold '/', so no user is one).
-- Every row repeats the owner, so a forget deletes by owner. Each entity is also a memory ('entity:{entity_id}',
-- memory_type entity: name, aliases, description, state) and so an index record, found by meaning.
-- appearance_id: the chapter (story) or session (companion) of an appearance.

CREATE TABLE entities (
    entity_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id or tenant:project/{p}',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    project_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'the story project, or NULL',
    name VARCHAR(200) NOT NULL,
    aliases JSON NOT NULL COMMENT 'other names, as given',
    entity_type ENUM('person', 'pet', 'place', 'item', 'organisation', 'character', 'location') NOT NULL,
    description TEXT NULL,
    attributes JSON NOT NULL,
    importance TINYINT UNSIGNED NOT NULL DEFAULT 5 COMMENT '1-10',
    current_state TEXT NULL,
    last_appearance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'chapter or session',
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    INDEX idx_owner (user_id, character_id, created_at, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='实体';

-- Name resolution: the name and every alias of an entity, unique per owner. alias_key is the name lower-cased
-- (Locale.ROOT: 'Doudou' = 'doudou'; Chinese has no case and compares exactly), compared byte for byte.
CREATE TABLE entity_aliases (
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    alias_key VARCHAR(200) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    entity_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    PRIMARY KEY (user_id, character_id, alias_key),
    INDEX idx_entity (entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='实体别名';

-- Every state change of an entity, oldest first by id. writeback_id: the chapter whose write-back wrote the row (a
-- write-back of that chapter again replaces them), NULL for the API's.
CREATE TABLE entity_states (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    entity_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    appearance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'chapter or session',
    story_time BIGINT NULL COMMENT 'the story clock, as the client counts it',
    state TEXT NOT NULL,
    attribute_changes JSON NOT NULL,
    event_summary VARCHAR(1000) NULL,
    writeback_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    at DATETIME(3) NOT NULL,
    INDEX idx_entity (entity_id, id),
    INDEX idx_owner (user_id, character_id),
    INDEX idx_writeback (user_id, character_id, writeback_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='实体状态历史';

-- A directed relation, one row per (owner, source, target, type): an upsert updates strength, description and the
-- last appearance. relation_type compares exactly (it is part of the key).
CREATE TABLE entity_relations (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    source_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    target_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    relation_type VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    strength DECIMAL(3,2) NOT NULL DEFAULT 0.50 COMMENT '0-1',
    description VARCHAR(1000) NULL,
    first_appearance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    last_appearance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    writeback_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'the write-back that created it',
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    UNIQUE KEY uk_relation (user_id, character_id, source_id, target_id, relation_type),
    INDEX idx_target (user_id, character_id, target_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='实体关系';

-- Events of a story (story time) or of a user's life (real time), with the entities involved.
CREATE TABLE entity_events (
    event_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    appearance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'chapter or session',
    story_time_start BIGINT NULL,
    story_time_end BIGINT NULL,
    real_time DATETIME(3) NULL,
    event_type VARCHAR(64) NOT NULL,
    summary VARCHAR(1000) NOT NULL,
    description TEXT NULL,
    location_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'an entity',
    importance TINYINT UNSIGNED NOT NULL DEFAULT 5,
    tags JSON NOT NULL,
    writeback_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL,
    created_at DATETIME(3) NOT NULL,
    INDEX idx_owner_time (user_id, character_id, story_time_start),
    INDEX idx_writeback (user_id, character_id, writeback_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='实体事件';

CREATE TABLE entity_event_entities (
    event_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    entity_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    PRIMARY KEY (event_id, entity_id),
    INDEX idx_entity (entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='事件相关实体';
