package verticles.extractor.rules;

/** The emotional tone of one message by the sentiment rules, for a session's short-term context. */
public final class Tone {
  private Tone() {}

  /** anxious, sad, excited, positive or negative when the text says so; null when it is neutral. */
  public static String of(String text) {
    String tone = Sentiment.eventEmotion(text, "neutral");
    return tone.equals("neutral") ? null : tone;
  }
}
