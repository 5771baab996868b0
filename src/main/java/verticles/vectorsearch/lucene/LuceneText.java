package verticles.vectorsearch.lucene;

import static verticles.vectorsearch.lucene.LuceneDocuments.F_CONTENT_EN;
import static verticles.vectorsearch.lucene.LuceneDocuments.F_CONTENT_ZH;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * The text analysis: the content is analysed twice, by SmartChineseAnalyzer and EnglishAnalyzer, into two fields,
 * and a query's keyword terms come from the same analysers, never a query parser.
 */
final class LuceneText {
  /** Caps the keyword query so a long text stays far below Lucene's 1024-clause limit. */
  static final int MAX_QUERY_TERMS = 256;

  private LuceneText() {}

  /** The analyser of the index: Chinese and English for the two content fields, keyword for the rest. */
  static Analyzer analyzer() {
    return new PerFieldAnalyzerWrapper(new KeywordAnalyzer(),
        Map.of(F_CONTENT_ZH, new SmartChineseAnalyzer(zhStopWords()), F_CONTENT_EN, new EnglishAnalyzer()));
  }

  /**
   * SmartCN's punctuation stop set plus English stop words, since it tokenises English words too. SmartCN stems
   * before it filters stop words, so the stemmed forms go in as well ("was" reaches the filter as "wa").
   */
  private static CharArraySet zhStopWords() {
    CharArraySet stop = new CharArraySet(SmartChineseAnalyzer.getDefaultStopSet(), false);
    try (Analyzer stemmer = new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer source = new WhitespaceTokenizer();
        return new TokenStreamComponents(source, new PorterStemFilter(source));
      }
    }) {
      for (Object word : EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) {
        String w = new String((char[]) word);
        stop.add(w);
        stop.addAll(tokens(stemmer, "", w));
      }
    }
    return CharArraySet.unmodifiableSet(stop);
  }

  /**
   * The query's distinct tokens per content field, from the analysers themselves and never a query parser: no syntax
   * exists, so hostile text cannot throw or widen the filter. Empty when the text yields no tokens (blank, emoji only,
   * stop words only).
   */
  static Map<String, Set<String>> queryTerms(Analyzer analyzer, String text) {
    Map<String, Set<String>> terms = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return terms;
    }
    for (String field : List.of(F_CONTENT_ZH, F_CONTENT_EN)) {
      Set<String> fieldTerms = tokens(analyzer, field, text);
      if (!fieldTerms.isEmpty()) {
        terms.put(field, fieldTerms);
      }
    }
    return terms;
  }

  /** BM25 over both fields: any term of either field may match. */
  static Query keywordQuery(Map<String, Set<String>> terms) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Set<String>> field : terms.entrySet()) {
      BooleanQuery.Builder perField = new BooleanQuery.Builder();
      for (String t : field.getValue()) {
        perField.add(new TermQuery(new Term(field.getKey(), t)), Occur.SHOULD);
      }
      b.add(perField.build(), Occur.SHOULD);
    }
    return b.build();
  }

  /** Distinct tokens in order, at most {@link #MAX_QUERY_TERMS}, so a long text stays below the clause limit. */
  static Set<String> tokens(Analyzer analyzer, String field, String text) {
    Set<String> terms = new LinkedHashSet<>();
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken() && terms.size() < MAX_QUERY_TERMS) {
        if (term.length() > 0) {
          terms.add(term.toString());
        }
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // analysing a String does no I/O
    }
    return terms;
  }
}
