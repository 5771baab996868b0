package verticles.extractor.rules;

/**
 * One profile fact found in one clause, before merging.
 *
 * @param mode how it merges with an earlier fact under the same key
 * @param label for PERSON facts: the kinship word as said ("妹妹", "little sister")
 * @param person for PERSON facts: the person's name, or null
 * @param detail for PERSON facts: e.g. their job, or null
 */
record Fact(String type, String key, String value, double confidence, Mode mode, String label, String person,
    String detail) {

  enum Mode {
    /** Last statement wins (name, age, location). */
    REPLACE,
    /** Distinct values are joined with ", " (likes, pets). */
    ACCUMULATE,
    /** Family and partners: label, name and detail merge field by field. */
    PERSON,
    /** "call me X": a name, or a nickname when a different name was also given. */
    CALL_ME
  }

  static Fact of(String type, String key, String value, double confidence) {
    return new Fact(type, key, value, confidence, Mode.REPLACE, null, null, null);
  }

  static Fact many(String type, String key, String value, double confidence) {
    return new Fact(type, key, value, confidence, Mode.ACCUMULATE, null, null, null);
  }

  static Fact person(String key, String label, String person, String detail, double confidence) {
    return new Fact("relationship", key, null, confidence, Mode.PERSON, label, person, detail);
  }

  static Fact callMe(String value, double confidence) {
    return new Fact("basic_info", "name", value, confidence, Mode.CALL_ME, null, null, null);
  }
}
