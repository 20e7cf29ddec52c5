import { createChineseSegmenter, isSurrogatePairAt } from './chinese.js';
import { createHighlighter } from './highlight.js';
import { createNormalizer } from './normalize.js';
import { pinyinReadings, type PinyinReadings } from './pinyin.js';
import {
  combineClauses,
  looseClauses,
  phrasePattern,
  splitPhrases,
  toTsquery,
  toTsqueryPattern,
  type Pattern,
  type QueryClause,
  type SearchQuery,
} from './query.js';
import { createTokenizer, type Token, type TokenizeMode, type TokenKind, type TokenSink } from './tokenize.js';
import { createRegionalVocabulary } from './vocabulary.js';
import { createVectorBuilder, WEIGHT_RANK } from './tsvector.js';

/**
 * `primary`: a title, a tag, a name (words weigh A, bigrams B); `secondary`: a body or a bio
 * (words C, bigrams D).
 */
export type FieldRank = 'primary' | 'secondary';

export interface DocumentField {
  text: string;
  rank: FieldRank;
}

/** Empty slots between two fields, so that no phrase matches across them. */
const FIELD_GAP = 8;

export interface ParsedQuery extends SearchQuery {
  /** tsquery text of all clauses (AND), or null when nothing searchable was typed. */
  tsquery: string | null;
  /** tsquery text of the unquoted words as one phrase (ranking bonus), or null. */
  proximityTsquery: string | null;
  /** Every pattern a hit can be, for the highlighter. */
  patterns: Pattern[];
}

/** A word worth suggesting: `key` as the index compares it, `display` as it was written. */
export interface SuggestionTerm {
  key: string;
  display: string;
}

export interface TextAnalyzer {
  /** NFKC, lower case, traditional → simplified. */
  normalize(text: string): string;
  /** Normalises, then tokenises. */
  tokenize(text: string, mode: TokenizeMode): Token[];
  /** The tsvector literal of a document's fields, in order (for `$1::tsvector`). */
  documentVector(fields: readonly DocumentField[]): string;
  /** A search query: quoted phrases, AND of words, as safe tsquery text. */
  parseQuery(query: string): ParsedQuery;
  /** Best fragment with hits in `<em>`, or null when the text has no hit. */
  highlight(text: string, query: ParsedQuery, maxLength?: number): string | null;
  /** The best fragment among texts (most distinct hits; a body over its title on a tie), or null. */
  highlightBest(texts: readonly string[], query: ParsedQuery, maxLength?: number): string | null;
  /** The words of a title or name worth suggesting, once each, in order of appearance. */
  suggestionTerms(text: string): SuggestionTerm[];
  pinyin(term: string): PinyinReadings | null;
}

/**
 * Adds a document's tokens to its tsvector as the tokenizer finds them, field after field: words
 * weigh A (primary field) or C, bigrams, last characters and variants B or D.
 */
class VectorSink implements TokenSink {
  readonly builder = createVectorBuilder();
  /** Position of the current field's slot 0. */
  base = 1;
  /** Highest slot of the current field with a token, or -1. */
  last = -1;
  private wordRank = WEIGHT_RANK.A;
  private otherRank = WEIGHT_RANK.B;

  startField(rank: FieldRank): void {
    this.wordRank = rank === 'primary' ? WEIGHT_RANK.A : WEIGHT_RANK.C;
    this.otherRank = rank === 'primary' ? WEIGHT_RANK.B : WEIGHT_RANK.D;
    this.last = -1;
  }

  token(term: string, kind: TokenKind, slot: number): void {
    this.builder.addRanked(term, this.base + slot, kind === 'word' ? this.wordRank : this.otherRank);
    if (slot > this.last) this.last = slot;
  }
}

/**
 * The one text-analysis pipeline, for documents and queries alike. Building it loads jieba's and
 * OpenCC's dictionaries (about half a second, some 50 MB): one per process.
 */
export function createTextAnalyzer(): TextAnalyzer {
  const normalizer = createNormalizer();
  const tokenizer = createTokenizer(createChineseSegmenter(), createRegionalVocabulary((text) => normalizer.normalize(text)));
  const highlighter = createHighlighter(normalizer, tokenizer);

  const tokenize = (text: string, mode: TokenizeMode) => tokenizer.tokenize(normalizer.normalize(text), mode);

  function documentVector(fields: readonly DocumentField[]): string {
    const sink = new VectorSink();
    for (const field of fields) {
      sink.startField(field.rank);
      tokenizer.scan(normalizer.normalize(field.text), 'index', sink);
      if (sink.last >= 0) sink.base += sink.last + 1 + FIELD_GAP;
    }
    return sink.builder.build();
  }

  function parseQuery(query: string): ParsedQuery {
    const { loose, phrases } = splitPhrases(normalizer.normalize(query));
    const found: { clause: QueryClause; stop: boolean }[] = [];
    let proximity: Pattern | null = null;
    for (const text of loose) {
      const clauses = looseClauses(tokenizer.tokenize(text, 'query'));
      found.push(...clauses);
      const whole = phrasePattern(tokenizer.tokenize(text, 'index'));
      // Only worth a bonus when the words could also match apart.
      if (proximity === null && clauses.length > 1 && whole.length > 1) proximity = whole;
    }
    for (const text of phrases) {
      const pattern = phrasePattern(tokenizer.tokenize(text, 'index'));
      if (pattern.length > 0) found.push({ clause: { alternatives: [pattern] }, stop: false });
    }
    const clauses = combineClauses(found);
    const parsed: SearchQuery = { clauses, proximity: clauses.length > 1 ? proximity : null };
    return {
      ...parsed,
      tsquery: toTsquery(parsed),
      proximityTsquery: parsed.proximity === null ? null : toTsqueryPattern(parsed.proximity),
      patterns: clauses.flatMap((c) => c.alternatives),
    };
  }

  function suggestionTerms(text: string): SuggestionTerm[] {
    const normalized = normalizer.normalizeWithOffsets(text);
    const seen = new Set<string>();
    const terms: SuggestionTerm[] = [];
    for (const token of tokenizer.tokenize(normalized.text, 'query')) {
      if (token.kind !== 'word') continue;
      const key = token.plain;
      // One letter or one character says too little to be worth completing to.
      if (key.length < 2 || (key.length === 2 && isSurrogatePairAt(key, 0)) || seen.has(key)) continue;
      seen.add(key);
      const start = normalized.starts[token.start] ?? 0;
      const end = normalized.ends[token.end - 1] ?? start;
      terms.push({ key, display: text.slice(start, end) });
    }
    return terms;
  }

  return {
    normalize: (text) => normalizer.normalize(text),
    tokenize,
    documentVector,
    parseQuery,
    highlight: (text, query, maxLength) => highlighter.highlight(text, query.patterns, maxLength),
    highlightBest: (texts, query, maxLength) => highlighter.highlightBest(texts, query.patterns, maxLength),
    suggestionTerms,
    pinyin: pinyinReadings,
  };
}
