import { Trie, type DictGroup } from 'opencc-js/core';
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

/** Collects output code units with their source spans, only when offsets were asked for. */
interface Sink {
  parts: string[];
  starts: number[] | null;
  ends: number[] | null;
}

function push(sink: Sink, piece: string, start: number, end: number): void {
  sink.parts.push(piece);
  if (sink.starts === null || sink.ends === null) return;
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

function isMarkAt(text: string, index: number): boolean {
  if (index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x300) return false;
  return COMBINING_MARK.test(String.fromCodePoint(text.codePointAt(index) ?? code));
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
function convert(trie: Trie, text: string, starts: number[] | null, ends: number[] | null, sink: Sink): void {
  let plain = 0; // start of the current run of unmatched text
  const flushPlain = (until: number) => {
    if (until <= plain) return;
    sink.parts.push(text.slice(plain, until));
    if (starts !== null && ends !== null && sink.starts !== null && sink.ends !== null) {
      for (let k = plain; k < until; k++) {
        sink.starts.push(starts[k]!);
        sink.ends.push(ends[k]!);
      }
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
    if (starts === null || ends === null || sink.starts === null || sink.ends === null) {
      sink.parts.push(match.value);
    } else if ([...source].length === [...match.value].length) {
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

/** Builds the normaliser; loading OpenCC's dictionaries takes some tens of milliseconds. */
export function createNormalizer(): Normalizer {
  const groups = [dictGroups(OPENCC_FROM, 'tw'), dictGroups(OPENCC_FROM, 'hk'), dictGroups(OPENCC_TO, 'cn')];
  const passes = groups.map(buildTrie);
  // Every character that some dictionary entry would change: a text with none of them (most
  // simplified Chinese) skips the three passes. Each phrase entry differs from its source in at
  // least one character, so checking characters of the sources is enough.
  const changing = new Set<string>();
  for (const dicts of groups.flat()) {
    for (const dict of dicts) {
      const entries = typeof dict === 'string' ? dict.split('|').map((line) => line.split(' ')) : dict;
      for (const [source, target] of entries) {
        if (source === undefined || target === undefined) continue;
        const a = [...source];
        const b = [...target];
        a.forEach((ch, i) => {
          if (ch !== b[i]) changing.add(ch);
        });
      }
    }
  }
  const needsFolding = (text: string): boolean => {
    for (const ch of text) if (changing.has(ch)) return true;
    return false;
  };

  function run(text: string, withOffsets: boolean): { text: string; starts: number[] | null; ends: number[] | null } {
    const first: Sink = { parts: [], starts: withOffsets ? [] : null, ends: withOffsets ? [] : null };
    foldWidthAndCase(text, first);
    let current = first.parts.join('');
    let starts = first.starts;
    let ends = first.ends;
    if (needsFolding(current)) {
      for (const trie of passes) {
        const next: Sink = { parts: [], starts: withOffsets ? [] : null, ends: withOffsets ? [] : null };
        convert(trie, current, starts, ends, next);
        current = next.parts.join('');
        starts = next.starts;
        ends = next.ends;
      }
    }
    return { text: current, starts, ends };
  }

  return {
    normalize: (text) => run(text, false).text,
    normalizeWithOffsets: (text) => {
      const result = run(text, true);
      return { text: result.text, starts: Int32Array.from(result.starts ?? []), ends: Int32Array.from(result.ends ?? []) };
    },
  };
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
