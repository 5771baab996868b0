package verticles.structured;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What differs between two versions of a memory: the fields, and the content as a diff (java-diff-utils, Myers):
 * a unified diff by line, and edits by word, where a run of letters or digits of an alphabetic script is a word and
 * every other character (a CJK character, a space, a mark) is one on its own, so a Chinese sentence diffs by
 * character and an English one by word.
 */
final class VersionDiff {
  private VersionDiff() {}

  /** {@code [{field, a, b}]} for each field of {@link MemoryState#FIELDS} that differs, then the provenance. */
  static JsonArray changes(MemoryState a, MemoryState b) {
    JsonArray out = new JsonArray();
    for (String field : MemoryState.FIELDS) {
      if (!Objects.equals(a.field(field), b.field(field))) {
        out.add(new JsonObject().put("field", field).put("a", a.field(field)).put("b", b.field(field)));
      }
    }
    if (!a.provenance().equals(b.provenance())) {
      out.add(new JsonObject().put("field", "provenance").put("a", a.provenance()).put("b", b.provenance()));
    }
    return out;
  }

  /** {@code {unified, edits: [{type, a_position, a_text, b_position, b_text}]}} from text a to text b. */
  static JsonObject text(String a, String b, String labelA, String labelB) {
    List<String> linesA = Arrays.asList(a.split("\n", -1));
    List<String> linesB = Arrays.asList(b.split("\n", -1));
    Patch<String> byLine = DiffUtils.diff(linesA, linesB);
    String unified = byLine.getDeltas().isEmpty() ? ""
        : String.join("\n", UnifiedDiffUtils.generateUnifiedDiff(labelA, labelB, linesA, byLine, 2));

    List<String> wordsA = words(a);
    List<String> wordsB = words(b);
    int[] offsetsA = offsets(wordsA);
    int[] offsetsB = offsets(wordsB);
    JsonArray edits = new JsonArray();
    for (AbstractDelta<String> d : DiffUtils.diff(wordsA, wordsB).getDeltas()) {
      edits.add(new JsonObject()
          .put("type", d.getType().name().toLowerCase(Locale.ROOT))
          .put("a_position", offsetsA[d.getSource().getPosition()])
          .put("a_text", String.join("", d.getSource().getLines()))
          .put("b_position", offsetsB[d.getTarget().getPosition()])
          .put("b_text", String.join("", d.getTarget().getLines())));
    }
    return new JsonObject().put("unified", unified).put("edits", edits);
  }

  /** The words of a text, in order; joined they give the text back. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int end = i + Character.charCount(cp);
      if (alphabetic(cp)) {
        while (end < text.length() && alphabetic(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
      }
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  private static boolean alphabetic(int cp) {
    return Character.isLetterOrDigit(cp) && !Character.isIdeographic(cp)
        && Character.UnicodeScript.of(cp) != Character.UnicodeScript.HIRAGANA
        && Character.UnicodeScript.of(cp) != Character.UnicodeScript.KATAKANA;
  }

  /** Character offsets of each word, and of the end (a delta may start there). */
  private static int[] offsets(List<String> words) {
    int[] out = new int[words.size() + 1];
    for (int i = 0; i < words.size(); i++) {
      out[i + 1] = out[i] + words.get(i).length();
    }
    return out;
  }
}
