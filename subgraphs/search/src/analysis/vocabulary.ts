import { from as OPENCC_FROM } from 'opencc-js/preset/t2cn';
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
  /** Whether some word of the vocabulary starts with these two characters (a cheap pre-check). */
  startsWith(twoCharacters: string): boolean;
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
  const prefixes = new Set<string>();
  let longest = 0;
  const link = (a: string, b: string) => {
    let set = map.get(a);
    if (set === undefined) {
      set = new Set();
      map.set(a, set);
    }
    set.add(b);
    const chars = [...a];
    prefixes.add(chars.slice(0, 2).join(''));
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
  return {
    variants: (word) => variants.get(word),
    longest,
    startsWith: (two) => prefixes.has(two),
  };
}
