import { createChineseSegmenter } from './chinese.js';
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
import { createTokenizer, type Token, type TokenizeMode } from './tokenize.js';
import { createRegionalVocabulary } from './vocabulary.js';
import { createVectorBuilder, type Weight } from './tsvector.js';

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

function weightOf(rank: FieldRank, token: Token): Weight {
  const word = token.kind === 'word';
  if (rank === 'primary') return word ? 'A' : 'B';
  return word ? 'C' : 'D';
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
    const builder = createVectorBuilder();
    let base = 1;
    for (const field of fields) {
      const tokens = tokenize(field.text, 'index');
      let last = -1;
      for (const token of tokens) {
        builder.add(token.term, base + token.slot, weightOf(field.rank, token));
        last = Math.max(last, token.slot);
      }
      if (last >= 0) base += last + 1 + FIELD_GAP;
    }
    return builder.build();
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
      if ([...key].length < 2 || seen.has(key)) continue;
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
