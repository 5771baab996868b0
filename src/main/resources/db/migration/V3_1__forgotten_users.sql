-- Tombstones of forgotten users (DELETE /v1/users/{user}[/characters/{character}]), written before anything is
-- deleted. Write paths refuse what a forgotten owner's task created before forgotten_at, so an in-flight task or a
-- Kafka replay cannot bring anything back. character_id NULL = every character of the user.
-- Versioned 3.1, not 3, so that a parallel branch's V3 can land without a clash.
CREATE TABLE forgotten_users (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(64) NOT NULL,
    character_id VARCHAR(64) NULL COMMENT 'NULL: all characters',
    -- one row per scope: '' stands for all characters, never a valid character id
    character_key VARCHAR(64) GENERATED ALWAYS AS (COALESCE(character_id, '')) STORED,
    forgotten_at TIMESTAMP(3) NOT NULL,
    UNIQUE KEY uk_scope (user_id, character_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='被遗忘的用户（墓碑）';

-- Task creation to the millisecond (was the second), so a task created just after a forget (the user chatting
-- again) is told apart from one created just before it.
ALTER TABLE memory_generation_tasks MODIFY created_at TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3);
