package verticles.vectorsearch;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What one engine found for one query, as raw signals, for {@link HybridScorer} to rank. The engine names each
 * candidate by an int key of its choosing (Lucene: the doc id; VikingDB: the position in its reply); of two
 * candidates that score the same, the lower key ranks first.
 */
public interface Candidates {

  /** The dense path's candidates, best first, with their cosine to the query; null when that path did not run. */
  List<Scored> dense();

  /**
   * The keyword path's candidates, best first, with their keyword score normalised to [0,1] by the engine. Null
   * when that path did not run (no query terms, or an engine without keyword search); empty when it ran and found
   * nothing, which still counts as a path for the fusion weights.
   */
  List<Scored> keyword();

  /** The speaker key ({@link HybridScorer#speakerKey}) of those of {@code keys} that have a speaker. */
  Map<Integer, String> speakers(Collection<Integer> keys);

  /**
   * Keyword feedback: the normalised keyword scores in [0,1] of the records that share the rarest words of
   * {@code seeds}' texts, at most {@code terms} words per analysed field, leaving out the query's own words. Empty
   * when the engine has no keyword search. May include the seeds and records that are not candidates yet.
   */
  Map<Integer, Double> feedback(List<Integer> seeds, int terms);

  /** The record of a candidate, with its stored vector at unit length (null when it has none). */
  MemoryRecord record(int key);

  /** A candidate and one raw score. */
  record Scored(int key, double score) {}
}
