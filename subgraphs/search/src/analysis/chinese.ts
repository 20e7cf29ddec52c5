import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

/** A word of a text with its offset in the text, in UTF-16 code units. */
export interface HanWord {
  word: string;
  start: number;
}

export interface ChineseSegmenter {
  /**
   * jieba's precise cut of a whole text (HMM on, so unknown names and slang still come out as
   * words), every piece with its offset. One call per text: crossing into native code per run
   * of characters would cost more than the cut itself.
   */
  preciseWords(text: string): readonly HanWord[];
  /**
   * What search mode adds for a word longer than two characters: its two- and (beyond three)
   * three-character parts that are dictionary words (北京大学 → 北京, 大学), with offsets.
   */
  searchParts(word: HanWord): HanWord[];
}

/** Cuts remembered (texts cut twice in a row are common; older ones are not). */
const RECENT_CUTS = 16;

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
  for (const line of Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength).toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    const word = space === -1 ? line.trim() : line.slice(0, space);
    // Only the parts search mode looks for: two and three characters.
    const length = [...word].length;
    if (length === 2 || length === 3) words.add(word);
  }

  // The last few cuts: a post's title is cut for its vector and again for its suggestion terms,
  // a query for its clauses and its phrase bonus.
  const recent = new Map<string, readonly HanWord[]>();

  function preciseWords(text: string): readonly HanWord[] {
    const cached = recent.get(text);
    if (cached !== undefined) return cached;
    const result = cutWords(text);
    if (recent.size >= RECENT_CUTS) recent.delete(recent.keys().next().value!);
    recent.set(text, result);
    return result;
  }

  function cutWords(text: string): HanWord[] {
    const result: HanWord[] = [];
    let offset = 0;
    for (const word of jieba.cut(text, true)) {
      // jieba returns a partition of its input; stay in step with the text even if it did not.
      const at = text.startsWith(word, offset) ? offset : text.indexOf(word, offset);
      if (at === -1) continue;
      result.push({ word, start: at });
      offset = at + word.length;
    }
    return result;
  }

  function searchParts(entry: HanWord): HanWord[] {
    const chars = [...entry.word];
    if (chars.length <= 2) return [];
    const result: HanWord[] = [];
    // Offsets in code units: extension-B characters take two.
    const offsets: number[] = [];
    let at = entry.start;
    for (const ch of chars) {
      offsets.push(at);
      at += ch.length;
    }
    for (const size of chars.length > 3 ? [2, 3] : [2]) {
      for (let k = 0; k + size <= chars.length; k++) {
        const part = chars.slice(k, k + size).join('');
        if (words.has(part)) result.push({ word: part, start: offsets[k]! });
      }
    }
    return result;
  }

  return { preciseWords, searchParts };
}
