package verticles.shared;

/** Rough token count without a tokenizer: one per CJK character, one per ~4 other characters. */
public final class Tokens {
  private Tokens() {}

  public static int estimate(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    int cjk = 0;
    int other = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
        cjk++;
      } else {
        other++;
      }
      i += Character.charCount(cp);
    }
    return cjk + (other + 3) / 4;
  }
}
