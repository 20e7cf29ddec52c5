import { stemmer } from 'stemmer';
import { isSurrogatePairAt, type ChineseSegmenter, type PreciseCut } from './chinese.js';
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

/** A Latin word as indexed (`term`) and as written (`plain`). */
interface LatinTerm {
  term: string;
  plain: string;
}

/** Latin words remembered with their terms (stemming is the costly part; words repeat). */
const LATIN_CACHE_MAX = 50_000;

/**
 * Receives a text's tokens one at a time, in the order `tokenize` returns them: the indexing path
 * needs only term, kind and slot, and building a Token object per term (a hundred a post) showed
 * up as garbage collection.
 */
export interface TokenSink {
  token(term: string, kind: TokenKind, slot: number, start: number, end: number, run: number, plain: string): void;
}

export interface Tokenizer {
  tokenize(normalized: string, mode: TokenizeMode): Token[];
  /** The tokens `tokenize` returns, in the same order, handed to `sink` one by one. */
  scan(normalized: string, mode: TokenizeMode, sink: TokenSink): void;
}

/** Collects Token objects: `tokenize` for the query and highlight paths. */
class TokenList implements TokenSink {
  readonly tokens: Token[] = [];

  token(term: string, kind: TokenKind, slot: number, start: number, end: number, run: number, plain: string): void {
    this.tokens.push({ term, kind, slot, start, end, run, plain });
  }
}

const NO_SINK: TokenSink = { token: () => undefined };
const NO_CUT: PreciseCut = { words: [], starts: new Int32Array(0) };

/**
 * One tokenisation at a time (`scan` is not reentrant: a sink must not tokenise), with the
 * per-run scratch arrays kept from one CJK run to the next instead of allocated for each.
 */
class Scanner {
  // The text being scanned and where the scan is.
  private text = '';
  private index = true;
  private sink: TokenSink = NO_SINK;
  private cut: PreciseCut = NO_CUT;
  private cutIndex = 0;
  private slot = 0;
  private run = 0;
  private busy = false;

  // Scratch for one CJK run, indexed by character (`charStart`, `grams`), by code unit of the run
  // (`slotAt`, `firstWith`) or by word (`words`, `wordStarts`, `nextWith`).
  /** Offset in the text of each character of the run, plus the run's end. */
  private charStart = new Int32Array(256);
  /** Slot of the character starting at each code unit of the run (0 inside a surrogate pair). */
  private slotAt = new Int32Array(256);
  /**
   * De-duplication of (start, word): for each code unit, the latest word kept that starts there,
   * or -1; from it, `nextWith` chains the earlier ones with the same start.
   */
  private firstWith = new Int32Array(256);
  /** For each word kept: the word kept before it with the same start, or -1. */
  private nextWith = new Int32Array(256);
  private readonly grams: string[] = [];
  private readonly words: string[] = [];
  private readonly wordStarts: number[] = [];
  private readonly cutWords: string[] = [];
  private readonly cutStarts: number[] = [];

  private readonly latin = new Map<string, LatinTerm>();
  private readonly japanese = new Intl.Segmenter('ja', { granularity: 'word' });
  private readonly generic = new Intl.Segmenter('und', { granularity: 'word' });

  constructor(
    private readonly chinese: ChineseSegmenter,
    private readonly vocabulary: RegionalVocabulary,
  ) {}

  scan(normalized: string, mode: TokenizeMode, sink: TokenSink): void {
    if (this.busy) throw new Error('tokenizer: scan is not reentrant');
    this.busy = true;
    try {
      this.text = normalized;
      this.index = mode === 'index';
      this.sink = sink;
      this.cut = HAN.test(normalized) ? this.chinese.preciseWords(normalized) : NO_CUT;
      this.cutIndex = 0;
      this.slot = 0;
      this.run = 0;
      WORD_RUN.lastIndex = 0;
      for (let match = WORD_RUN.exec(normalized); match !== null; match = WORD_RUN.exec(normalized)) {
        const text = match[0];
        const base = match.index;
        let cursor = 0;
        CJK_RUN.lastIndex = 0;
        for (let cjk = CJK_RUN.exec(text); cjk !== null; cjk = CJK_RUN.exec(text)) {
          if (cjk.index > cursor) this.otherScripts(text.slice(cursor, cjk.index), base + cursor);
          this.cjk(base + cjk.index, base + cjk.index + cjk[0].length);
          cursor = cjk.index + cjk[0].length;
        }
        if (cursor < text.length) this.otherScripts(cursor === 0 ? text : text.slice(cursor), base + cursor);
      }
    } finally {
      this.text = '';
      this.sink = NO_SINK;
      this.cut = NO_CUT;
      this.busy = false;
    }
  }

  /** A word of its own slot and run (Latin, or a segment of another script). */
  private word(term: string, plain: string, start: number, end: number): void {
    if (term.length > 0 && term.length <= MAX_TERM_LENGTH) this.sink.token(term, 'word', this.slot, start, end, this.run, plain);
    this.slot += 1;
    this.run += 1;
  }

  private latinTerm(word: string): LatinTerm {
    let latin = this.latin.get(word);
    if (latin === undefined) {
      const plain = foldAccents(word.replace(APOSTROPHES, ''));
      latin = { term: ENGLISH_WORD.test(plain) ? stem(plain) : plain, plain };
      if (this.latin.size >= LATIN_CACHE_MAX) this.latin.clear();
      this.latin.set(word, latin);
    }
    return latin;
  }

  private otherScripts(text: string, offset: number): void {
    if (LATIN_WORD.test(text)) {
      const { term, plain } = this.latinTerm(text);
      this.word(term, plain, offset, offset + text.length);
      return;
    }
    // Scripts written without spaces (Thai, Khmer, …) and the rest: the ICU word breaker.
    for (const segment of this.generic.segment(text)) {
      if (segment.isWordLike !== true) continue;
      const start = offset + segment.index;
      if (LATIN_WORD.test(segment.segment)) {
        const { term, plain } = this.latinTerm(segment.segment);
        this.word(term, plain, start, start + segment.segment.length);
      } else {
        const term = segment.segment.replace(APOSTROPHES, '');
        this.word(term, term, start, start + segment.segment.length);
      }
    }
  }

  /** Grows the scratch arrays for a run of `units` code units. */
  private reserve(units: number): void {
    if (this.charStart.length > units) return;
    const size = Math.max(units + 1, this.charStart.length * 2);
    this.charStart = new Int32Array(size);
    this.slotAt = new Int32Array(size);
    this.firstWith = new Int32Array(size);
  }

  /** A run of Han and kana characters, [start, end) of the text. */
  private cjk(start: number, end: number): void {
    const { text, sink, vocabulary, words, wordStarts, grams } = this;
    const slot = this.slot;
    const run = this.run;
    this.reserve(end - start);
    const { charStart, slotAt } = this;

    // Characters (a surrogate pair is one) and the slot of each.
    let count = 0;
    for (let i = start; i < end; count++) {
      charStart[count] = i;
      slotAt[i - start] = slot + count;
      if (isSurrogatePairAt(text, i) && i + 1 < end) {
        slotAt[i + 1 - start] = 0;
        i += 2;
      } else {
        i += 1;
      }
    }
    charStart[count] = end;
    slotAt[end - start] = slot + count;
    grams.length = 0;
    for (let k = 0; k + 1 < count; k++) grams.push(text.slice(charStart[k], charStart[k + 2]));

    // Words first (dictionary or segmenter), each at the slot of its first character.
    words.length = 0;
    wordStarts.length = 0;
    const runText = text.slice(start, end);
    if (KANA.test(runText)) {
      for (const segment of this.japanese.segment(runText)) {
        if (segment.isWordLike === true) {
          words.push(segment.segment);
          wordStarts.push(start + segment.index);
        }
      }
    } else {
      // The precise words of the whole text that lie inside this run.
      const cut = this.cut;
      const cutWords = this.index ? words : this.cutWords;
      const cutStarts = this.index ? wordStarts : this.cutStarts;
      cutWords.length = 0;
      cutStarts.length = 0;
      while (this.cutIndex < cut.words.length && cut.starts[this.cutIndex]! < end) {
        const word = cut.words[this.cutIndex]!;
        const at = cut.starts[this.cutIndex]!;
        if (at >= start && at + word.length <= end) {
          // Index: search mode's dictionary parts of the word, then the word.
          if (this.index) this.chinese.searchParts(word, at, words, wordStarts);
          cutWords.push(word);
          cutStarts.push(at);
        }
        this.cutIndex += 1;
      }
      if (this.index) {
        for (let k = 0; k + 1 < count; k++) {
          const longest = vocabulary.longestFrom(grams[k]!);
          if (longest === 0) continue;
          for (let size = Math.min(longest, count - k); size >= 2; size--) {
            const word = text.slice(charStart[k], charStart[k + size]);
            const variants = vocabulary.variants(word);
            if (variants === undefined) continue;
            // The regional word itself is a word even where jieba cut it apart.
            words.push(word);
            wordStarts.push(charStart[k]!);
            for (const variant of variants) sink.token(variant, 'variant', slot + k, charStart[k]!, charStart[k + size]!, run, variant);
          }
        }
      } else {
        this.joinVocabulary();
      }
    }

    // Each word once per start (search-mode parts and regional words can repeat a word).
    if (this.nextWith.length < words.length) this.nextWith = new Int32Array(words.length * 2);
    const { firstWith, nextWith } = this;
    firstWith.fill(-1, 0, end - start + 1);
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      const at = wordStarts[w]!;
      // Every word lies inside the run: `at - start` is a code unit of it.
      const unit = at - start;
      let seen = false;
      for (let other = firstWith[unit]!; other !== -1; other = nextWith[other]!) {
        if (words[other] === word) {
          seen = true;
          break;
        }
      }
      if (seen) continue;
      nextWith[w] = firstWith[unit]!;
      firstWith[unit] = w;
      const single = word.length === 1 || (word.length === 2 && (word.codePointAt(0) ?? 0) > 0xffff);
      // One character is matched through the bigrams and the run's last character (by prefix).
      if (single && this.index) continue;
      if (word.length > MAX_TERM_LENGTH) continue;
      sink.token(word, 'word', slotAt[unit]!, at, at + word.length, run, word);
    }
    for (let k = 0; k + 1 < count; k++) {
      sink.token(grams[k]!, 'gram', slot + k, charStart[k]!, charStart[k + 2]!, run, grams[k]!);
    }
    const last = count - 1;
    const char = text.slice(charStart[last], charStart[count]);
    sink.token(char, 'char', slot + last, charStart[last]!, charStart[count]!, run, char);
    this.slot += count;
    this.run += 1;
  }

  /**
   * Query mode: the run's precise words (`cutWords`), consecutive ones joined where together they
   * spell a regional vocabulary word, into `words`.
   */
  private joinVocabulary(): void {
    const { cutWords, cutStarts, words, wordStarts, vocabulary } = this;
    let i = 0;
    while (i < cutWords.length) {
      let joined: string | null = null;
      let next = i + 1;
      let text = cutWords[i]!;
      let characters = characterCount(text);
      for (let j = i + 1; j < cutWords.length && characters < vocabulary.longest; j++) {
        text += cutWords[j]!;
        characters += characterCount(cutWords[j]!);
        // Nothing longer can be a word either.
        if (!vocabulary.hasPrefix(text)) break;
        if (vocabulary.variants(text) !== undefined) {
          joined = text;
          next = j + 1;
        }
      }
      words.push(joined ?? cutWords[i]!);
      wordStarts.push(cutStarts[i]!);
      i = joined === null ? i + 1 : next;
    }
  }
}

/** Characters (code points) of a well-formed string. */
function characterCount(text: string): number {
  let count = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    if (isSurrogatePairAt(text, i)) {
      count -= 1;
      i += 1;
    }
  }
  return count;
}

export function createTokenizer(chinese: ChineseSegmenter, vocabulary: RegionalVocabulary): Tokenizer {
  const scanner = new Scanner(chinese, vocabulary);
  return {
    tokenize(normalized, mode) {
      const list = new TokenList();
      scanner.scan(normalized, mode, list);
      return list.tokens;
    },
    scan: (normalized, mode, sink) => scanner.scan(normalized, mode, sink),
  };
}
