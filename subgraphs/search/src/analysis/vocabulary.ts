import { from as OPENCC_FROM } from 'opencc-js/preset/t2cn';
import { StringFilter } from './filter.js';
import { dictGroups } from './opencc.js';

/**
 * Regional vocabulary: the same thing named differently in Taiwan, Hong Kong and the mainland
 * (軟體 / 软件, 資料庫 / 数据库, 快取 / 缓存, 人工智慧 / 人工智能), from OpenCC's phrase
 * dictionaries (`TWPhrasesRev`, `HKPhrasesRev`). Character folding cannot join these; the index
 * stores each such word's counterparts at its position, at bigram weight, so a search for either
 * finds both and the writer's own word still ranks first.
 */
export interface RegionalVocabulary {
  /** Counterparts of a (normalised) word, or undefined. */
  variants(word: string): readonly string[] | undefined;
  /** Longest word of the vocabulary, in characters. */
  readonly longest: number;
  /**
   * The longest word of the vocabulary (in characters) that starts with these two characters, or
   * 0 when none does: how far a lookup from there needs to reach.
   */
  longestFrom(twoCharacters: string): number;
  /** Whether some word of the vocabulary starts with `text` (or is `text`). */
  hasPrefix(text: string): boolean;
}

const HAN_WORD = /^\p{sc=Han}{2,}$/u;

function pairs(dict: unknown): [string, string][] {
  if (typeof dict === 'string') {
    return dict
      .split('|')
      .map((line) => line.split(' '))
      .filter((p): p is [string, string] => p.length === 2);
  }
  if (Array.isArray(dict)) {
    return dict.filter(
      (p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string',
    );
  }
  return [];
}

/** `normalize` must be the pipeline's normaliser, so keys compare with analysed text. */
export function createRegionalVocabulary(normalize: (text: string) => string): RegionalVocabulary {
  const map = new Map<string, Set<string>>();
  // First two characters → the longest word starting with them, in characters.
  const prefixes = new Map<string, number>();
  // Every prefix of every word (the words included).
  const allPrefixes = new Set<string>();
  let longest = 0;
  const link = (a: string, b: string) => {
    let set = map.get(a);
    if (set === undefined) {
      set = new Set();
      map.set(a, set);
    }
    set.add(b);
    const chars = [...a];
    const two = chars.slice(0, 2).join('');
    prefixes.set(two, Math.max(prefixes.get(two) ?? 0, chars.length));
    for (let n = 1; n <= chars.length; n++) allPrefixes.add(chars.slice(0, n).join(''));
    longest = Math.max(longest, chars.length);
  };
  // The first dictionary of each phrase group is the regional vocabulary; the others are the
  // variant characters that normalisation already folds.
  for (const region of ['twp', 'hkp'] as const) {
    for (const group of dictGroups(OPENCC_FROM, region)) {
      for (const [regional, mainland] of pairs(group[0])) {
        const a = normalize(regional);
        const b = normalize(mainland);
        // Only Chinese words: names with a middle dot or Latin letters (BMW集團) are left out.
        if (a === b || !HAN_WORD.test(a) || !HAN_WORD.test(b)) continue;
        link(a, b);
        link(b, a);
      }
    }
  }
  const variants = new Map<string, readonly string[]>([...map].map(([k, v]) => [k, [...v]]));
  // Most bigrams of a text start no regional word: the filter answers for them without a lookup.
  const starts = new StringFilter(16);
  for (const two of prefixes.keys()) starts.add(two);
  return {
    variants: (word) => variants.get(word),
    longest,
    longestFrom: (two) => (starts.mayHave(two, 0, two.length) ? (prefixes.get(two) ?? 0) : 0),
    hasPrefix: (text) => allPrefixes.has(text),
  };
}
