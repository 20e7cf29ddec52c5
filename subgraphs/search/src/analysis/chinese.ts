import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { StringFilter } from './filter.js';

/**
 * jieba's precise cut of a text: its words in order, and where each starts (UTF-16 code units),
 * as two arrays rather than an object per word (a body has dozens of words, cut per post).
 */
export interface PreciseCut {
  readonly words: readonly string[];
  readonly starts: Int32Array;
}

export interface ChineseSegmenter {
  /**
   * jieba's precise cut of a whole text (HMM on, so unknown names and slang still come out as
   * words), every piece with its offset. One call per text: crossing into native code per run
   * of characters would cost more than the cut itself.
   */
  preciseWords(text: string): PreciseCut;
  /**
   * What search mode adds for a word longer than two characters: its two- and (beyond three)
   * three-character parts that are dictionary words (北京大学 → 北京, 大学), appended to `parts`
   * with their offsets (the word starting at `start`) appended to `starts`.
   */
  searchParts(word: string, start: number, parts: string[], starts: number[]): void;
}

/** Cuts remembered (texts cut twice in a row are common; older ones are not). */
const RECENT_CUTS = 16;
/**
 * Short texts (tags, names: a handful of them are most of what is written) are remembered longer:
 * crossing into jieba costs about 2 µs whatever the length.
 */
const SHORT_TEXT = 8;
const SHORT_CUTS = 4_096;

interface JiebaDictModule {
  dict: Uint8Array;
}

/**
 * Loads jieba with the dictionary that ships in `@node-rs/jieba` (no download), and the same
 * dictionary as a set for the search-mode parts. Takes a few hundred milliseconds and about 40 MB;
 * build one per process.
 */
export function createChineseSegmenter(): ChineseSegmenter {
  // The dictionary module is CommonJS and reads its file when loaded: load it here, not on import.
  const require = createRequire(import.meta.url);
  const { dict } = require('@node-rs/jieba/dict.js') as JiebaDictModule;
  const jieba = Jieba.withDict(dict);
  const words = new Set<string>();
  // Most parts of a word are not words: the filter rules them out before a slice and a lookup.
  const filter = new StringFilter(22);
  for (const line of Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength).toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    const word = space === -1 ? line.trim() : line.slice(0, space);
    // Only the parts search mode looks for: two and three characters.
    const length = [...word].length;
    if (length === 2 || length === 3) {
      words.add(word);
      filter.add(word);
    }
  }

  // The last few cuts: a post's title is cut for its vector and again for its suggestion terms,
  // a query for its clauses and its phrase bonus.
  const recent = new Map<string, PreciseCut>();
  const short = new Map<string, PreciseCut>();

  function preciseWords(text: string): PreciseCut {
    const cache = text.length <= SHORT_TEXT ? short : recent;
    const cached = cache.get(text);
    if (cached !== undefined) return cached;
    const result = cutWords(text);
    if (cache === short) {
      if (short.size >= SHORT_CUTS) short.clear();
    } else if (recent.size >= RECENT_CUTS) {
      recent.delete(recent.keys().next().value!);
    }
    cache.set(text, result);
    return result;
  }

  function cutWords(text: string): PreciseCut {
    const pieces = jieba.cut(text, true);
    const starts = new Int32Array(pieces.length);
    // jieba's own array, unless a piece has to be left out (below).
    let words = pieces;
    let kept = 0;
    let offset = 0;
    for (let p = 0; p < pieces.length; p++) {
      const word = pieces[p]!;
      // jieba returns a partition of its input; stay in step with the text even if it did not.
      const at = text.startsWith(word, offset) ? offset : text.indexOf(word, offset);
      if (at === -1) {
        if (words === pieces) words = pieces.slice(0, p);
        continue;
      }
      if (words !== pieces) words.push(word);
      starts[kept++] = at;
      offset = at + word.length;
    }
    return { words, starts: kept === pieces.length ? starts : starts.subarray(0, kept) };
  }

  // Offsets of a word's characters in code units (extension-B characters take two), reused.
  let offsets = new Int32Array(64);

  function searchParts(word: string, start: number, parts: string[], starts: number[]): void {
    // Two code units are at most two characters: no parts.
    if (word.length <= 2) return;
    if (offsets.length <= word.length) offsets = new Int32Array(word.length * 2);
    let count = 0;
    for (let i = 0; i < word.length; count++) {
      offsets[count] = i;
      i += isSurrogatePairAt(word, i) ? 2 : 1;
    }
    offsets[count] = word.length;
    if (count <= 2) return;
    const largest = count > 3 ? 3 : 2;
    for (let size = 2; size <= largest; size++) {
      for (let k = 0; k + size <= count; k++) {
        if (!filter.mayHave(word, offsets[k]!, offsets[k + size]!)) continue;
        const part = word.slice(offsets[k], offsets[k + size]);
        if (words.has(part)) {
          parts.push(part);
          starts.push(start + offsets[k]!);
        }
      }
    }
  }

  return { preciseWords, searchParts };
}

/** Whether a surrogate pair (one character outside the Basic Multilingual Plane) starts at `i`. */
export function isSurrogatePairAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 0xd800 || code > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
