package verticles.structured;

/**
 * The SQL of memory transactions ({@link TransactionRepository}) and of memory locks ({@link MemoryLocks}). Expiry is
 * judged by the database's clock (UTC_TIMESTAMP), the one clock all nodes share.
 */
final class TransactionQueries {
  private TransactionQueries() {}

  static final String BEGIN = "INSERT INTO memory_transactions (tx_id, tenant, status, actor, created_at, expires_at)"
      + " VALUES (?, ?, 'open', ?, UTC_TIMESTAMP(3), TIMESTAMPADD(SECOND, ?, UTC_TIMESTAMP(3)))";

  private static final String TX_COLUMNS = "SELECT tx_id, tenant, status, actor, created_at, expires_at, ended_at,"
      + " error, expires_at <= UTC_TIMESTAMP(3) AS past FROM memory_transactions WHERE tx_id = ?";

  static final String GET = TX_COLUMNS;

  /** The transaction's row, locked: its stage, commit, rollback and expiry take turns. */
  static final String LOCK = TX_COLUMNS + " FOR UPDATE";

  /** An open transaction ends: committed, rolled back, expired or failed. */
  static final String END = "UPDATE memory_transactions SET status = ?, ended_at = UTC_TIMESTAMP(3), error = ?"
      + " WHERE tx_id = ? AND status = 'open'";

  /** How many operations it holds, and the next one's seq (the transaction's row is locked: no two get one seq). */
  static final String COUNT_OPS = "SELECT COUNT(*), COALESCE(MAX(seq), 0) + 1 FROM memory_transaction_ops"
      + " WHERE tx_id = ?";

  /** The owner an earlier operation of the transaction on this memory named, if there is one. */
  static final String EARLIER_OP = "SELECT user_id, character_id FROM memory_transaction_ops WHERE tx_id = ?"
      + " AND memory_id = ? LIMIT 1";

  static final String INSERT_OP = "INSERT INTO memory_transaction_ops (tx_id, seq, op, memory_id, user_id,"
      + " character_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))";

  static final String OPS = "SELECT seq, op, memory_id, body, created_at FROM memory_transaction_ops WHERE tx_id = ?"
      + " ORDER BY seq";

  /** The live transaction holding the memory, if any; the lock row (when there is one) locked. */
  static final String LOCK_HOLDER = "SELECT tx_id FROM memory_locks WHERE memory_id = ?"
      + " AND expires_at > UTC_TIMESTAMP(3) FOR UPDATE";

  /** Checked first ({@link #LOCK_HOLDER}): the row is absent, expired or the transaction's own. */
  static final String TAKE_LOCK = "INSERT INTO memory_locks (memory_id, tx_id, expires_at) VALUES (?, ?, ?)"
      + " ON DUPLICATE KEY UPDATE tx_id = VALUES(tx_id), expires_at = VALUES(expires_at)";

  static final String RELEASE_LOCKS = "DELETE FROM memory_locks WHERE tx_id = ?";

  /** The sweep: open transactions past their time are expired (rolled back) ... */
  static final String EXPIRE = "UPDATE memory_transactions SET status = 'expired', ended_at = UTC_TIMESTAMP(3),"
      + " error = 'expired: not committed within its timeout' WHERE status = 'open'"
      + " AND expires_at <= UTC_TIMESTAMP(3)";

  /** ... and lock rows past their time (an expired transaction's, or one taken over since) are deleted. */
  static final String CLEAN_LOCKS = "DELETE FROM memory_locks WHERE expires_at <= UTC_TIMESTAMP(3)";

  /** Ended transactions older than the retention (a negative number of hours): their operations, then themselves. */
  static final String PURGE_OPS = "DELETE o FROM memory_transaction_ops o JOIN memory_transactions t"
      + " ON t.tx_id = o.tx_id WHERE t.status <> 'open' AND t.ended_at < TIMESTAMPADD(HOUR, ?, UTC_TIMESTAMP(3))";

  static final String PURGE = "DELETE FROM memory_transactions WHERE status <> 'open'"
      + " AND ended_at < TIMESTAMPADD(HOUR, ?, UTC_TIMESTAMP(3))";
}
