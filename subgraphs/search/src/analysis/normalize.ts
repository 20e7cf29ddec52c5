import { Trie, type DictGroup, type DictLike } from 'opencc-js/core';
import { from as OPENCC_FROM, to as OPENCC_TO } from 'opencc-js/preset/t2cn';
import { dictGroups } from './opencc.js';

/**
 * The first step of the one text-analysis pipeline: a text as the index sees it, plus (when the
 * highlighter asks) where every code unit of it came from in the original, so hits found on the
 * normalised text are marked on the text as written.
 *
 * 1. NFKC per character (with its combining marks): full-width ＡＢＣ and half-width ｶﾀｶﾅ fold to
 *    their usual forms, ligatures and circled or compatibility characters to plain ones.
 * 2. Lower case. Format characters (zero-width space, soft hyphen, BOM) are dropped, so they
 *    cannot split a word.
 * 3. Traditional → simplified Chinese with OpenCC's dictionaries: Taiwan and Hong Kong variant
 *    characters first, then traditional characters and phrases, so 網關 and 网关 are one text.
 *    Only character-level folding, which keeps every character in place for the highlighter;
 *    regional vocabulary (軟體 / 软件) is joined later, by the tokenizer (`vocabulary.ts`).
 */
export interface NormalizedText {
  text: string;
  /** For each UTF-16 code unit of `text`: the offset in the original where its source starts. */
  starts: Int32Array;
  /** For each UTF-16 code unit of `text`: the offset in the original just past its source. */
  ends: Int32Array;
}

export interface Normalizer {
  /** The normalised text alone: the indexing and query path. */
  normalize(text: string): string;
  /** The same text, with offsets into `text`: the highlighting path. */
  normalizeWithOffsets(text: string): NormalizedText;
}

/** Collects output code units with their source spans (the highlighting path). */
interface Sink {
  parts: string[];
  starts: number[];
  ends: number[];
}

function push(sink: Sink, piece: string, start: number, end: number): void {
  sink.parts.push(piece);
  for (let k = 0; k < piece.length; k++) {
    sink.starts.push(start);
    sink.ends.push(end);
  }
}

const COMBINING_MARK = /\p{M}/u;
const FORMAT_CHARACTER = /^\p{Cf}+$/u;

/** Characters whose NFKC form is themselves and that have no case: the common CJK blocks. */
function isStable(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0x3041 && code <= 0x3096) || // hiragana
    (code >= 0x30a1 && code <= 0x30fa) || // katakana
    (code >= 0xac00 && code <= 0xd7a3) // Hangul syllables
  );
}

/** Per BMP code unit (surrogates aside), whether it is a combining mark: 0 not known yet, 1 no, 2 yes. */
const MARK_UNIT = new Uint8Array(0x10000);

function isMarkAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x300) return false;
  if (code >= 0xd800 && code <= 0xdfff) return COMBINING_MARK.test(String.fromCodePoint(text.codePointAt(index) ?? code));
  let known = MARK_UNIT[code]!;
  if (known === 0) {
    known = COMBINING_MARK.test(String.fromCharCode(code)) ? 2 : 1;
    MARK_UNIT[code] = known;
  }
  return known === 2;
}

/**
 * What step 1 and 2 make of one code unit standing alone (no marks after it, not half of a
 * surrogate pair), filled as met: undefined not known yet; the unit itself when unchanged.
 */
const FOLDED_UNIT = new Array<string | undefined>(0x10000);

function foldedUnit(code: number): string {
  let folded = FOLDED_UNIT[code];
  if (folded === undefined) {
    const unit = String.fromCharCode(code);
    folded = FORMAT_CHARACTER.test(unit) ? '' : unit.normalize('NFKC').toLowerCase();
    FOLDED_UNIT[code] = folded;
  }
  return folded;
}

/**
 * Step 1 and 2 without offsets, as `foldWidthAndCase` writes them: the stretches that do not
 * change are sliced from the text rather than copied a character at a time, and a text that does
 * not change at all (most lower-case or Chinese text) is returned as it is.
 */
function foldWidthAndCasePlain(text: string): string {
  let out = '';
  let copied = 0; // text before this is in `out`
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code < 0x80 && !isMarkAt(text, i + 1)) {
      if (code >= 0x41 && code <= 0x5a) {
        out += text.slice(copied, i) + String.fromCharCode(code + 32);
        copied = i + 1;
      }
      i += 1;
      continue;
    }
    if (isStable(code)) {
      i += 1;
      continue;
    }
    const start = i;
    const first = text.codePointAt(i) ?? code;
    i += first > 0xffff ? 2 : 1;
    while (isMarkAt(text, i)) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    let piece: string;
    if (i === start + 1) {
      piece = foldedUnit(code);
      if (piece.length === 1 && piece.charCodeAt(0) === code) continue;
    } else {
      const unit = text.slice(start, i);
      piece = FORMAT_CHARACTER.test(unit) ? '' : unit.normalize('NFKC').toLowerCase();
      if (piece === unit) continue;
    }
    out += text.slice(copied, start) + piece;
    copied = i;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Step 1 and 2: width, compatibility forms and case, one character (plus its marks) at a time. */
function foldWidthAndCase(text: string, sink: Sink): void {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // ASCII not followed by a combining mark: lower-case it without calling into ICU.
    if (code < 0x80 && !isMarkAt(text, i + 1)) {
      push(sink, code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : text[i]!, i, i + 1);
      i += 1;
      continue;
    }
    if (isStable(code)) {
      push(sink, text[i]!, i, i + 1);
      i += 1;
      continue;
    }
    const start = i;
    const first = text.codePointAt(i) ?? code;
    i += first > 0xffff ? 2 : 1;
    while (isMarkAt(text, i)) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    const unit = text.slice(start, i);
    if (FORMAT_CHARACTER.test(unit)) continue;
    push(sink, unit.normalize('NFKC').toLowerCase(), start, i);
  }
}

function buildTrie(groups: readonly DictGroup[]): Trie {
  const trie = new Trie();
  for (const group of groups) trie.loadDictGroup(group);
  return trie;
}

/**
 * One OpenCC pass (longest match first, as OpenCC does) that also carries the offsets: a
 * replacement with as many code points as its source maps character to character; any other
 * (rare) replacement maps every one of its code units to the whole source span.
 */
function convert(trie: Trie, text: string, starts: number[], ends: number[], sink: Sink): void {
  let plain = 0; // start of the current run of unmatched text
  const flushPlain = (until: number) => {
    if (until <= plain) return;
    sink.parts.push(text.slice(plain, until));
    for (let k = plain; k < until; k++) {
      sink.starts.push(starts[k]!);
      sink.ends.push(ends[k]!);
    }
  };
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // ASCII never starts a dictionary entry: skip the trie lookup.
    const match = code < 0x80 ? null : trie.matchPrefix(text, i);
    if (match === null) {
      i += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
      continue;
    }
    flushPlain(i);
    const source = text.slice(i, match.end);
    if ([...source].length === [...match.value].length) {
      let s = i;
      for (const ch of match.value) {
        const sourceLength = (source.codePointAt(s - i) ?? 0) > 0xffff ? 2 : 1;
        for (let k = 0; k < ch.length; k++) {
          sink.starts.push(starts[s]!);
          sink.ends.push(ends[s + sourceLength - 1]!);
        }
        sink.parts.push(ch);
        s += sourceLength;
      }
    } else {
      push(sink, match.value, starts[i]!, ends[match.end - 1]!);
    }
    i = match.end;
    plain = i;
  }
  flushPlain(text.length);
}

/**
 * `convert` without offsets: unmatched stretches are sliced, and only characters that start some
 * dictionary entry (`startsEntry`) are looked up in the trie.
 */
function convertPlain(trie: Trie, startsEntry: (codePoint: number) => boolean, text: string): string {
  let out = '';
  let plain = 0; // start of the current run of unmatched text
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff;
    // ASCII never starts a dictionary entry: skip the trie lookup.
    const match = code < 0x80 || !startsEntry(pair ? (text.codePointAt(i) ?? code) : code) ? null : trie.matchPrefix(text, i);
    if (match === null) {
      i += pair ? 2 : 1;
      continue;
    }
    out += text.slice(plain, i) + match.value;
    i = match.end;
    plain = i;
  }
  return plain === 0 ? text : out + text.slice(plain);
}

/** A set of code points: a table for the Basic Multilingual Plane, a set beyond. */
class CodePointSet {
  private readonly bmp = new Uint8Array(0x10000);
  private readonly astral = new Set<number>();

  add(codePoint: number): void {
    if (codePoint <= 0xffff) this.bmp[codePoint] = 1;
    else this.astral.add(codePoint);
  }

  has(codePoint: number): boolean {
    return codePoint <= 0xffff ? this.bmp[codePoint] === 1 : this.astral.has(codePoint);
  }

  /** Whether some character of `text` (code point by code point) is in the set. */
  hasSome(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff) {
        const codePoint = text.codePointAt(i) ?? code;
        if (codePoint > 0xffff) {
          if (this.astral.has(codePoint)) return true;
          i += 1;
          continue;
        }
      }
      if (this.bmp[code] === 1) return true;
    }
    return false;
  }
}

/** Builds the normaliser; loading OpenCC's dictionaries takes some tens of milliseconds. */
export function createNormalizer(): Normalizer {
  const groups = [dictGroups(OPENCC_FROM, 'tw'), dictGroups(OPENCC_FROM, 'hk'), dictGroups(OPENCC_TO, 'cn')];
  const passes = groups.map(buildTrie);
  // Every character that some dictionary entry would change: a text with none of them (most
  // simplified Chinese) skips the three passes. Each phrase entry differs from its source in at
  // least one character, so checking characters of the sources is enough.
  const changing = new CodePointSet();
  for (const dicts of groups.flat()) {
    for (const dict of dicts) {
      for (const [source, target] of dictEntries(dict)) {
        if (source === undefined || target === undefined) continue;
        const a = [...source];
        const b = [...target];
        a.forEach((ch, i) => {
          if (ch !== b[i]) changing.add(ch.codePointAt(0)!);
        });
      }
    }
  }
  // Per pass, the first characters of its dictionary entries: the only places a match can start.
  const entryStarts = groups.map((locale) => {
    const starts = new CodePointSet();
    for (const dict of locale.flat()) {
      for (const [source] of dictEntries(dict)) {
        const first = source?.codePointAt(0);
        if (first !== undefined) starts.add(first);
      }
    }
    return (codePoint: number) => starts.has(codePoint);
  });
  const needsFolding = (text: string): boolean => changing.hasSome(text);

  /** The normalised text alone: the text `normalizeWithOffsets` writes, without the offsets. */
  function normalizePlain(text: string): string {
    let current = foldWidthAndCasePlain(text);
    if (needsFolding(current)) {
      for (let pass = 0; pass < passes.length; pass++) current = convertPlain(passes[pass]!, entryStarts[pass]!, current);
    }
    return current;
  }

  /** The normalised text with the source span of each code unit. */
  function normalizeWithOffsets(text: string): NormalizedText {
    const first: Sink = { parts: [], starts: [], ends: [] };
    foldWidthAndCase(text, first);
    let current = first.parts.join('');
    let starts = first.starts;
    let ends = first.ends;
    if (needsFolding(current)) {
      for (const trie of passes) {
        const next: Sink = { parts: [], starts: [], ends: [] };
        convert(trie, current, starts, ends, next);
        current = next.parts.join('');
        starts = next.starts;
        ends = next.ends;
      }
    }
    return { text: current, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
  }

  return { normalize: normalizePlain, normalizeWithOffsets };
}

/** A dictionary's entries as [source, target] pairs. */
function dictEntries(dict: DictLike): readonly (readonly string[])[] {
  return typeof dict === 'string' ? dict.split('|').map((line) => line.split(' ')) : dict;
}

function isAscii(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Accents off a Latin word (café → cafe, naïve → naive); other scripts keep their marks. */
export function foldAccents(word: string): string {
  if (isAscii(word)) return word;
  if (!/\p{sc=Latin}/u.test(word)) return word;
  return word.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
}
