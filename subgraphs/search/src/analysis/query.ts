import type { Token } from './tokenize.js';
import { quoteLexeme } from './tsvector.js';

/** One term of a pattern; `prefix` for a single CJK character (matched as the start of a term). */
export interface PatternItem {
  term: string;
  prefix: boolean;
  /** Slots after the previous item (0 for the first). */
  distance: number;
}

/** A sequence of terms at fixed distances: one term, a quoted phrase, or a word's bigram chain. */
export type Pattern = readonly PatternItem[];

/** A requirement of the query: at least one of its alternative patterns must be in the text. */
export interface QueryClause {
  alternatives: Pattern[];
}

export interface SearchQuery {
  /** Every clause must match (AND). Empty when nothing searchable was typed (only symbols, emoji). */
  clauses: QueryClause[];
  /**
   * The unquoted words as one phrase, when there are several: a text that has them together, in
   * order, ranks above one that has them apart. Null when not applicable.
   */
  proximity: Pattern | null;
}

/** Quote pairs that make a phrase: ASCII (and full-width, after NFKC), curly, and corner brackets. */
const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', '『': '』', '﹁': '﹂', '﹃': '﹄' };

/**
 * English words that carry no meaning alone, dropped from a query that has other words (never
 * from a phrase). Compared before stemming.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or',
  'that', 'the', 'this', 'to', 'was', 'were', 'with',
]);

/** Chinese particles that the precise cut leaves as one-character words; same rule as above. */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set([
  '的', '了', '着', '过', '吗', '呢', '吧', '啊', '呀', '哦', '嘛', '和', '与', '及', '之', '也', '都', '很', '是', '在', '就', '把', '被', '而', '或',
]);

/** Splits a normalised query into the text outside quotes and the quoted phrases. */
export function splitPhrases(normalized: string): { loose: string[]; phrases: string[] } {
  const loose: string[] = [];
  const phrases: string[] = [];
  let i = 0;
  let textStart = 0;
  while (i < normalized.length) {
    const close = QUOTES[normalized[i]!];
    if (close === undefined) {
      i += 1;
      continue;
    }
    // “…" and "…” are accepted too: people mix them.
    let end = -1;
    for (let j = i + 1; j < normalized.length; j++) {
      const ch = normalized[j]!;
      if (ch === close || (close === '”' && ch === '"') || (close === '"' && ch === '”')) {
        end = j;
        break;
      }
    }
    if (end === -1) {
      // An unmatched quote is only a character.
      i += 1;
      continue;
    }
    loose.push(normalized.slice(textStart, i));
    phrases.push(normalized.slice(i + 1, end));
    i = end + 1;
    textStart = i;
  }
  loose.push(normalized.slice(textStart));
  return { loose: loose.filter((s) => s.trim() !== ''), phrases };
}

/**
 * The pattern that matches a text as written, in order: Latin words, and for CJK the chain of
 * its bigrams (a one-character run by prefix). Built from index-mode tokens.
 */
export function phrasePattern(tokens: readonly Token[]): Pattern {
  const byRun = new Map<number, Token[]>();
  for (const token of tokens) {
    const list = byRun.get(token.run);
    if (list === undefined) byRun.set(token.run, [token]);
    else list.push(token);
  }
  const chosen: Token[] = [];
  for (const runTokens of byRun.values()) {
    const grams = runTokens.filter((t) => t.kind === 'gram');
    if (grams.length > 0) {
      chosen.push(...grams);
      continue;
    }
    const char = runTokens.find((t) => t.kind === 'char');
    if (char !== undefined) {
      chosen.push(char);
      continue;
    }
    chosen.push(...runTokens.filter((t) => t.kind === 'word'));
  }
  chosen.sort((a, b) => a.slot - b.slot);
  const pattern: PatternItem[] = [];
  let previous = -1;
  for (const token of chosen) {
    pattern.push({ term: token.term, prefix: token.kind === 'char', distance: previous === -1 ? 0 : token.slot - previous });
    previous = token.slot;
  }
  return pattern;
}

function patternKey(pattern: Pattern): string {
  return pattern.map((p) => `${p.distance}:${p.term}${p.prefix ? '*' : ''}`).join(' ');
}

/**
 * The clauses of the text outside quotes, from query-mode tokens: a Latin word must be there
 * (stemmed); a CJK word of one character must start some term (every character of an indexed
 * text starts a bigram or is a run's last character); of two characters, be a term (a word or a
 * bigram); of three or more, be a word, or be spelled by its chain of bigrams (so a word jieba
 * cut differently in the document is still found).
 */
export function looseClauses(tokens: readonly Token[]): { clause: QueryClause; stop: boolean }[] {
  const gramAt = new Map<number, Token>();
  for (const token of tokens) if (token.kind === 'gram') gramAt.set(token.slot, token);
  const result: { clause: QueryClause; stop: boolean }[] = [];
  for (const token of tokens) {
    if (token.kind !== 'word') continue;
    const chars = [...token.term];
    const isCjk = tokens.some((t) => t.run === token.run && t.kind !== 'word');
    if (!isCjk) {
      result.push({
        clause: { alternatives: [[{ term: token.term, prefix: false, distance: 0 }]] },
        stop: ENGLISH_STOP_WORDS.has(token.plain),
      });
      continue;
    }
    if (chars.length === 1) {
      result.push({
        clause: { alternatives: [[{ term: token.term, prefix: true, distance: 0 }]] },
        stop: CHINESE_STOP_WORDS.has(token.term),
      });
      continue;
    }
    const alternatives: Pattern[] = [[{ term: token.term, prefix: false, distance: 0 }]];
    if (chars.length > 2) {
      // The word spelled by bigrams two characters apart (软件开发 → 软件 <2> 开发; an odd
      // length ends with the last bigram): exactly the word's text, and each piece may also be
      // matched by a regional variant stored at its place (軟體開發 has 软件 there).
      const starts: number[] = [];
      for (let k = 0; k + 2 <= chars.length; k += 2) starts.push(k);
      if (chars.length % 2 === 1) starts.push(chars.length - 2);
      const chain: PatternItem[] = [];
      for (const [i, k] of starts.entries()) {
        const gram = gramAt.get(token.slot + k);
        if (gram === undefined) break;
        chain.push({ term: gram.term, prefix: false, distance: i === 0 ? 0 : k - starts[i - 1]! });
      }
      if (chain.length === starts.length) alternatives.push(chain);
    }
    result.push({ clause: { alternatives }, stop: false });
  }
  return result;
}

/** Joins clauses, dropping duplicates and (when anything else is left) stop words. */
export function combineClauses(found: readonly { clause: QueryClause; stop: boolean }[]): QueryClause[] {
  const meaningful = found.some((f) => !f.stop);
  const seen = new Set<string>();
  const clauses: QueryClause[] = [];
  for (const { clause, stop } of found) {
    if (stop && meaningful) continue;
    const key = clause.alternatives.map(patternKey).join(' | ');
    if (seen.has(key)) continue;
    seen.add(key);
    clauses.push(clause);
  }
  return clauses;
}

function patternToTsquery(pattern: Pattern): string {
  return pattern
    .map((item, k) => `${k === 0 ? '' : ` <${item.distance}> `}${quoteLexeme(item.term)}${item.prefix ? ':*' : ''}`)
    .join('');
}

/** A pattern as tsquery text: `'a'`, `'网':*`, or `'网关' <1> '关服'`. */
export function toTsqueryPattern(pattern: Pattern): string {
  return pattern.length === 1 ? patternToTsquery(pattern) : `(${patternToTsquery(pattern)})`;
}

/** The query as tsquery text (every clause ANDed), or null when it has no clause. */
export function toTsquery(query: SearchQuery): string | null {
  if (query.clauses.length === 0) return null;
  return query.clauses
    .map((clause) =>
      clause.alternatives.length === 1
        ? toTsqueryPattern(clause.alternatives[0]!)
        : `(${clause.alternatives.map(toTsqueryPattern).join(' | ')})`,
    )
    .join(' & ');
}
