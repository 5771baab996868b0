-- The four tables of the seed design (000, section 2.1), exactly.

CREATE TABLE user_profiles (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(64) NOT NULL COMMENT '用户ID',
    character_id VARCHAR(64) NOT NULL COMMENT '角色ID',
    profile_type ENUM('basic_info', 'preference', 'personality', 'relationship') NOT NULL COMMENT '画像类型',
    profile_key VARCHAR(128) NOT NULL COMMENT '画像键名',
    profile_value TEXT NOT NULL COMMENT '画像值',
    confidence DECIMAL(3,2) DEFAULT 1.00 COMMENT '置信度 0-1',
    source_msg_id VARCHAR(64) COMMENT '来源消息ID',
    extracted_at TIMESTAMP NOT NULL COMMENT '提取时间',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    is_deleted TINYINT(1) DEFAULT 0,
    UNIQUE KEY uk_user_profile (user_id, character_id, profile_type, profile_key),
    INDEX idx_user_char (user_id, character_id),
    INDEX idx_type_key (profile_type, profile_key),
    INDEX idx_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='用户画像表';

CREATE TABLE user_events (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(64) NOT NULL COMMENT '用户ID',
    character_id VARCHAR(64) NOT NULL COMMENT '角色ID',
    event_type VARCHAR(64) NOT NULL COMMENT '事件类型',
    event_title VARCHAR(256) NOT NULL COMMENT '事件标题',
    event_summary TEXT NOT NULL COMMENT '事件摘要',
    event_date DATE COMMENT '事件日期',
    emotion_tag VARCHAR(32) COMMENT '情感标签',
    importance TINYINT UNSIGNED DEFAULT 5 COMMENT '重要性 1-10',
    vector_id VARCHAR(128) COMMENT 'VikingDB向量ID',
    source_summary_id BIGINT UNSIGNED COMMENT '来源摘要ID',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    is_deleted TINYINT(1) DEFAULT 0,
    INDEX idx_user_char (user_id, character_id),
    INDEX idx_event_type (event_type),
    INDEX idx_event_date (event_date),
    INDEX idx_importance (importance DESC),
    INDEX idx_vector (vector_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='用户关键事件表';

CREATE TABLE conversation_summaries (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    user_id VARCHAR(64) NOT NULL COMMENT '用户ID',
    character_id VARCHAR(64) NOT NULL COMMENT '角色ID',
    summary_text TEXT NOT NULL COMMENT '摘要文本',
    topic_tags JSON COMMENT '话题标签',
    emotion_tone VARCHAR(32) COMMENT '情感基调',
    start_time TIMESTAMP NOT NULL COMMENT '对话开始时间',
    end_time TIMESTAMP NOT NULL COMMENT '对话结束时间',
    message_count INT UNSIGNED NOT NULL COMMENT '消息数量',
    total_tokens INT UNSIGNED COMMENT '总Token数',
    vector_id VARCHAR(128) NOT NULL COMMENT 'VikingDB向量ID',
    archive_path VARCHAR(512) COMMENT 'TOS归档路径',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    is_deleted TINYINT(1) DEFAULT 0,
    INDEX idx_user_char (user_id, character_id),
    INDEX idx_time_range (start_time, end_time),
    INDEX idx_vector (vector_id),
    INDEX idx_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='对话摘要表';

CREATE TABLE memory_generation_tasks (
    id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
    task_id VARCHAR(64) NOT NULL UNIQUE COMMENT '任务ID',
    user_id VARCHAR(64) NOT NULL,
    character_id VARCHAR(64) NOT NULL,
    task_type ENUM('summary', 'profile', 'event', 'full') NOT NULL,
    source_data JSON NOT NULL COMMENT '源数据(消息列表)',
    status ENUM('pending', 'processing', 'completed', 'failed') DEFAULT 'pending',
    retry_count TINYINT UNSIGNED DEFAULT 0,
    max_retries TINYINT UNSIGNED DEFAULT 3,
    error_message TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    INDEX idx_status (status),
    INDEX idx_user_char (user_id, character_id),
    INDEX idx_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆生成任务表';
