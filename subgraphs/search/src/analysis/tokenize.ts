import { stemmer } from 'stemmer';
import type { ChineseSegmenter, HanWord } from './chinese.js';
import { foldAccents } from './normalize.js';
import type { RegionalVocabulary } from './vocabulary.js';

/**
 * - `word`: a dictionary word (jieba, or `Intl.Segmenter` for Japanese and other scripts) or a
 *   Latin word (accents folded, English-stemmed);
 * - `gram`: two adjacent CJK characters, so words the dictionary splits or does not know (树洞,
 *   new slang, names) are still found;
 * - `char`: the last character of a CJK run (the one character no bigram starts with), so that a
 *   one-character query can match every character of the text by prefix;
 * - `variant`: the other regions' word for a regional word of the text (軟體 → 软件), at its
 *   position.
 */
export type TokenKind = 'word' | 'gram' | 'char' | 'variant';

export interface Token {
  /** The term as indexed: letters, marks and digits only (safe in any tsvector or tsquery). */
  term: string;
  kind: TokenKind;
  /**
   * Position in the text, from 0: one slot per Latin word and one per CJK character, so bigrams
   * of consecutive characters are in consecutive slots and phrases can be matched by position.
   */
  slot: number;
  /** Offsets in the normalised text, in UTF-16 code units. */
  start: number;
  end: number;
  /** Index of the run (a stretch of letters between spaces or punctuation, split by script). */
  run: number;
  /** For Latin words: the word before stemming (accents folded); else the term. */
  plain: string;
}

/**
 * `index`: jieba's search mode (words and their dictionary parts of two or more characters).
 * `query`: jieba's precise cut, single characters included, as the words a query must contain.
 */
export type TokenizeMode = 'index' | 'query';

/** Longest term kept, in UTF-16 code units; longer ones (hashes, base64) only cost index space. */
export const MAX_TERM_LENGTH = 64;

/** Letters, marks and digits, with apostrophes inside words (don't, l'été). */
const WORD_RUN = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
/** Han and kana characters, with the iteration marks and the prolonged sound mark. */
const CJK_RUN = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\u3005\u3006\u3007]+/gu;
const KANA = /[\p{sc=Hiragana}\p{sc=Katakana}]/u;
const HAN = /\p{sc=Han}/u;
/** Latin letters and digits only: no segmenter needed, a run is one word. */
const LATIN_WORD = /^[\p{sc=Latin}\p{N}\p{M}'’]+$/u;
const APOSTROPHES = /['’]/g;
const ENGLISH_WORD = /^[a-z]+$/;
/** Porter's stemmer is not idempotent (deploying → deploi, deployment → deploy → deploi). */
const STEM_PASSES = 3;

/** English stem, repeated until it no longer changes, so every form of a word meets. */
export function stem(word: string): string {
  let current = word;
  for (let pass = 0; pass < STEM_PASSES; pass++) {
    const next = stemmer(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Joins consecutive words of a precise cut that together spell a regional vocabulary word. */
function joinVocabulary(words: HanWord[], vocabulary: RegionalVocabulary): HanWord[] {
  const result: HanWord[] = [];
  let i = 0;
  while (i < words.length) {
    let joined: HanWord | null = null;
    let next = i + 1;
    let text = words[i]!.word;
    for (let j = i + 1; j < words.length && [...text].length < vocabulary.longest; j++) {
      text += words[j]!.word;
      if (vocabulary.variants(text) !== undefined) {
        joined = { word: text, start: words[i]!.start };
        next = j + 1;
      }
    }
    result.push(joined ?? words[i]!);
    i = joined === null ? i + 1 : next;
  }
  return result;
}

export interface Tokenizer {
  tokenize(normalized: string, mode: TokenizeMode): Token[];
}

export function createTokenizer(chinese: ChineseSegmenter, vocabulary: RegionalVocabulary): Tokenizer {
  const japanese = new Intl.Segmenter('ja', { granularity: 'word' });
  const generic = new Intl.Segmenter('und', { granularity: 'word' });

  function latinTerm(word: string): { term: string; plain: string } {
    const plain = foldAccents(word.replace(APOSTROPHES, ''));
    const term = ENGLISH_WORD.test(plain) ? stem(plain) : plain;
    return { term, plain };
  }

  function tokenize(normalized: string, mode: TokenizeMode): Token[] {
    const tokens: Token[] = [];
    const cut = HAN.test(normalized) ? chinese.preciseWords(normalized) : [];
    let cutIndex = 0;
    let slot = 0;
    let run = 0;

    const word = (term: string, plain: string, start: number, end: number) => {
      if (term.length > 0 && term.length <= MAX_TERM_LENGTH) {
        tokens.push({ term, kind: 'word', slot, start, end, run, plain });
      }
      slot += 1;
      run += 1;
    };

    const otherScripts = (text: string, offset: number) => {
      if (LATIN_WORD.test(text)) {
        const { term, plain } = latinTerm(text);
        word(term, plain, offset, offset + text.length);
        return;
      }
      // Scripts written without spaces (Thai, Khmer, …) and the rest: the ICU word breaker.
      for (const segment of generic.segment(text)) {
        if (segment.isWordLike !== true) continue;
        const start = offset + segment.index;
        if (LATIN_WORD.test(segment.segment)) {
          const { term, plain } = latinTerm(segment.segment);
          word(term, plain, start, start + segment.segment.length);
        } else {
          const term = segment.segment.replace(APOSTROPHES, '');
          word(term, term, start, start + segment.segment.length);
        }
      }
    };

    const cjk = (text: string, offset: number) => {
      const chars = [...text];
      const offsets: number[] = [];
      let at = offset;
      for (const ch of chars) {
        offsets.push(at);
        at += ch.length;
      }
      offsets.push(at);
      // Slot of the character starting at each code unit of the run.
      const slotAt = new Int32Array(text.length + 1);
      offsets.forEach((o, k) => {
        slotAt[o - offset] = slot + k;
      });

      // Words first (dictionary or segmenter), each at the slot of its first character.
      const words: HanWord[] = [];
      if (KANA.test(text)) {
        for (const segment of japanese.segment(text)) {
          if (segment.isWordLike === true) words.push({ word: segment.segment, start: offset + segment.index });
        }
      } else {
        // The precise words of the whole text that lie inside this run.
        const end = offset + text.length;
        const inRun: HanWord[] = [];
        while (cutIndex < cut.length && cut[cutIndex]!.start < end) {
          const w = cut[cutIndex]!;
          if (w.start >= offset && w.start + w.word.length <= end) inRun.push(w);
          cutIndex += 1;
        }
        if (mode === 'index') {
          for (const w of inRun) words.push(...chinese.searchParts(w), w);
        } else {
          words.push(...joinVocabulary(inRun, vocabulary));
        }
        if (mode === 'index') {
          for (let k = 0; k + 1 < chars.length; k++) {
            if (!vocabulary.startsWith(chars[k]! + chars[k + 1]!)) continue;
            for (let size = Math.min(vocabulary.longest, chars.length - k); size >= 2; size--) {
              const word = chars.slice(k, k + size).join('');
              const variants = vocabulary.variants(word);
              if (variants === undefined) continue;
              // The regional word itself is a word even where jieba cut it apart.
              words.push({ word, start: offsets[k]! });
              for (const variant of variants) {
                tokens.push({ term: variant, kind: 'variant', slot: slot + k, start: offsets[k]!, end: offsets[k + size]!, run, plain: variant });
              }
            }
          }
        }
      }
      const emitted = new Set<string>();
      for (const w of words) {
        const key = `${w.start}:${w.word}`;
        if (emitted.has(key)) continue;
        emitted.add(key);
        const single = w.word.length === 1 || (w.word.length === 2 && (w.word.codePointAt(0) ?? 0) > 0xffff);
        // One character is matched through the bigrams and the run's last character (by prefix).
        if (single && mode === 'index') continue;
        if (w.word.length > MAX_TERM_LENGTH) continue;
        tokens.push({
          term: w.word,
          kind: 'word',
          slot: slotAt[w.start - offset] ?? slot,
          start: w.start,
          end: w.start + w.word.length,
          run,
          plain: w.word,
        });
      }
      for (let k = 0; k + 1 < chars.length; k++) {
        const term = chars[k]! + chars[k + 1]!;
        tokens.push({ term, kind: 'gram', slot: slot + k, start: offsets[k]!, end: offsets[k + 2]!, run, plain: term });
      }
      const last = chars.length - 1;
      tokens.push({
        term: chars[last]!,
        kind: 'char',
        slot: slot + last,
        start: offsets[last]!,
        end: offsets[last + 1]!,
        run,
        plain: chars[last]!,
      });
      slot += chars.length;
      run += 1;
    };

    for (const match of normalized.matchAll(WORD_RUN)) {
      const text = match[0];
      const base = match.index;
      let cursor = 0;
      for (const cjkMatch of text.matchAll(CJK_RUN)) {
        if (cjkMatch.index > cursor) otherScripts(text.slice(cursor, cjkMatch.index), base + cursor);
        cjk(cjkMatch[0], base + cjkMatch.index);
        cursor = cjkMatch.index + cjkMatch[0].length;
      }
      if (cursor < text.length) otherScripts(text.slice(cursor), base + cursor);
    }
    return tokens;
  }

  return { tokenize };
}
