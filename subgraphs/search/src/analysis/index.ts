export * from './analyzer.js';
export { escapeHtml, FRAGMENT_LENGTH } from './highlight.js';
export { pinyinPrefix, pinyinReadings, type PinyinReadings } from './pinyin.js';
export type { Pattern, PatternItem, QueryClause, SearchQuery } from './query.js';
export { MAX_TERM_LENGTH, type Token, type TokenKind, type TokenizeMode } from './tokenize.js';
export { quoteLexeme, MAX_POSITION, type Weight } from './tsvector.js';
