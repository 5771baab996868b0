package verticles.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * WebSocket messages put together from their frames, their bytes kept until the last one: Vert.x's own text handler
 * decodes leniently (invalid bytes become U+FFFD), and RFC 6455 wants a text message that is not UTF-8 refused
 * (close code 1007). One per socket, on its event loop.
 */
final class TextMessages {
  enum Kind { PARTIAL, TEXT, BINARY, INVALID_UTF8, TOO_BIG }

  /** What a frame completed: nothing yet, a text message, a binary one, or a reason to close. */
  record Result(Kind kind, String text) {
    static final Result PARTIAL = new Result(Kind.PARTIAL, null);
  }

  private final int maxBytes;
  /** The text message being assembled, or null. */
  private Buffer text;
  /** Whether a binary message is being received (its bytes are not kept: it is refused when it ends). */
  private boolean binary;
  /** After a reason to close, the socket is closing: nothing more is handed over. */
  private boolean failed;

  TextMessages(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  Result add(WebSocketFrame frame) {
    if (failed) {
      return Result.PARTIAL;
    }
    if (frame.isText()) {
      text = Buffer.buffer();
      binary = false;
    } else if (frame.isBinary()) {
      text = null;
      binary = true;
    } else if (!frame.isContinuation()) {
      return Result.PARTIAL; // ping, pong, close: Vert.x answers those
    }
    if (binary) {
      if (frame.isFinal()) {
        binary = false;
        return new Result(Kind.BINARY, null);
      }
      return Result.PARTIAL;
    }
    if (text == null) {
      return Result.PARTIAL; // a continuation of nothing: Netty's decoder refuses it already
    }
    text.appendBuffer(frame.binaryData());
    if (text.length() > maxBytes) {
      text = null;
      failed = true;
      return new Result(Kind.TOO_BIG, null);
    }
    if (!frame.isFinal()) {
      return Result.PARTIAL;
    }
    Buffer whole = text;
    text = null;
    try {
      String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(whole.getBytes())).toString();
      return new Result(Kind.TEXT, decoded);
    } catch (CharacterCodingException e) {
      failed = true;
      return new Result(Kind.INVALID_UTF8, null);
    }
  }
}
