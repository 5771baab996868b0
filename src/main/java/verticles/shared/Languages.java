package verticles.shared;

/** The one language test the embedding models and message indexing share: any Han character makes a text Chinese. */
public final class Languages {
  private Languages() {}

  /** Whether {@code text} holds a Han (CJK) character; null and blank are not Chinese. */
  public static boolean chinese(String text) {
    if (text == null) {
      return false;
    }
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
        return true;
      }
      i += Character.charCount(c);
    }
    return false;
  }
}
