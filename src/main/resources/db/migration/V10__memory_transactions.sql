-- Memory transactions and their locks (issue 13, seed 004 §8). A transaction's staged operations are rows, so they
-- outlive the node that took them; a memory's lock is a row, so it holds across every node of a cluster (never a JVM
-- map). No reader sees a staged operation: it touches no memory until the commit applies every one of them in one
-- MySQL transaction. Times are UTC and compared with the database's clock (UTC_TIMESTAMP), the one clock every node
-- shares.

CREATE TABLE memory_transactions (
    tx_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    tenant VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NULL COMMENT 'NULL: a co-located caller',
    status ENUM('open', 'committed', 'rolled_back', 'expired', 'failed') NOT NULL DEFAULT 'open',
    actor VARCHAR(64) NOT NULL COMMENT 'API key name, or system',
    created_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL COMMENT 'an open transaction past it is rolled back by itself (expired)',
    ended_at DATETIME(3) NULL,
    error VARCHAR(1000) NULL COMMENT 'why it failed or expired',
    INDEX idx_open (status, expires_at),
    INDEX idx_ended (ended_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆事务';

-- The operations of a transaction in the order they were staged. body is the request of the operation as the event bus
-- carries it (Lifecycle.Create, .Update or .Delete); user_id and character_id are the memory's owner, so that a forget
-- erases what was staged for the user as well.
CREATE TABLE memory_transaction_ops (
    tx_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    seq INT UNSIGNED NOT NULL,
    op ENUM('create', 'update', 'delete') NOT NULL,
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    user_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL COMMENT 'tenant:user_id',
    character_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    body JSON NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (tx_id, seq),
    INDEX idx_owner (user_id, character_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆事务的操作';

-- One row per memory a transaction has staged an operation on: an exclusive lock until the transaction ends. A row
-- past its expires_at (its transaction's) holds nothing: it is taken over, and the sweeper deletes it.
CREATE TABLE memory_locks (
    memory_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL PRIMARY KEY,
    tx_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE ${id_collation} NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    INDEX idx_tx (tx_id),
    INDEX idx_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='记忆锁';
