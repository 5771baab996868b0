package verticles.vectorsearch.vikingdb;

/** A failed VikingDB call: an error answer (status and code), or none at all (status 0). */
public final class VikingDbException extends RuntimeException {
  private final String path;
  private final int status;
  private final long code;
  private final String detail;
  private final String requestId;
  private final boolean retryable;

  VikingDbException(String path, int status, long code, String detail, String requestId, boolean retryable,
                    Throwable cause) {
    super(describe(path, status, code, detail, requestId), cause);
    this.path = path;
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = requestId;
    this.retryable = retryable;
  }

  /** The last attempt's failure, final, with why the retries ended. */
  private VikingDbException(VikingDbException last, String ending) {
    super(describe(last.path, last.status, last.code, last.detail, last.requestId) + " (" + ending + ")",
        last.getCause());
    this.path = last.path;
    this.status = last.status;
    this.code = last.code;
    this.detail = last.detail;
    this.requestId = last.requestId;
    this.retryable = false;
  }

  VikingDbException gaveUp(int attempts) {
    return new VikingDbException(this, "gave up after " + attempts + " attempts");
  }

  /** Retrying stopped because the caller's {@link verticles.vectorsearch.Deadline} passed. */
  VikingDbException abandoned(int attempts) {
    return new VikingDbException(this, "abandoned after " + attempts + (attempts == 1 ? " attempt" : " attempts")
        + ": the caller's deadline passed");
  }

  /** HTTP status; 0 when no answer came. */
  public int status() {
    return status;
  }

  /** VikingDB's error code (1000029 throttled, 1000001 unauthorized, …); 0 or -1 when the body had none. */
  public long code() {
    return code;
  }

  public boolean retryable() {
    return retryable;
  }

  private static String describe(String path, int status, long code, String detail, String requestId) {
    StringBuilder b = new StringBuilder("VikingDB ").append(path).append(" failed: ");
    b.append(status == 0 ? "no HTTP answer" : "HTTP " + status);
    if (code > 0) {
      b.append(", code ").append(code).append(" (").append(meaning(code)).append(')');
    }
    if (detail != null && !detail.isBlank()) {
      b.append(": ").append(detail);
    }
    if (requestId != null) {
      b.append(" [request_id ").append(requestId).append(']');
    }
    return b.toString();
  }

  /** The documented meaning of the codes an index client meets. */
  static String meaning(long code) {
    return switch ((int) code) {
      case 1000001 -> "unauthorized: authentication failed";
      case 1000002 -> "no permission";
      case 1000003 -> "invalid request";
      case 1000005 -> "collection does not exist";
      case 1000008 -> "index does not exist";
      case 1000016 -> "invalid vector";
      case 1000017 -> "invalid primary key";
      case 1000019 -> "invalid filter";
      case 1000023 -> "index initializing";
      case 1000028 -> "internal server error";
      case 1000029 -> "throttled: request rate limit exceeded";
      default -> "error";
    };
  }
}
