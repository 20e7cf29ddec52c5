/**
 * Writing terms into Postgres' tsvector and tsquery input syntax. Every term is quoted and
 * escaped here, and Postgres never parses the original text (no `to_tsvector`/`to_tsquery`), so
 * `&`, `|`, `!`, `:*`, quotes and backslashes in what a user typed can only ever be text.
 */

/** Highest position Postgres keeps in a tsvector (larger ones are clamped to it). */
export const MAX_POSITION = 16_383;
/** Positions Postgres keeps per lexeme. */
export const MAX_POSITIONS_PER_TERM = 256;

/**
 * `A` title and tag words, `B` title bigrams, `C` body words, `D` body bigrams: a dictionary
 * word counts more than a bigram that happens to spell it (市长 in 南京市长江大桥), and a title
 * more than a body.
 */
export type Weight = 'A' | 'B' | 'C' | 'D';

/** A weight as the rank `addRanked` takes. */
export const WEIGHT_RANK: Readonly<Record<Weight, number>> = { A: 3, B: 2, C: 1, D: 0 };

/** A term as a quoted tsvector/tsquery lexeme: `'it''s'`, backslashes doubled. */
export function quoteLexeme(term: string): string {
  if (!term.includes("'") && !term.includes('\\')) return `'${term}'`;
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Collects (term, position, weight) and writes a tsvector literal. */
export interface VectorBuilder {
  add(term: string, position: number, weight: Weight): void;
  /** `add` with the weight as its rank (`WEIGHT_RANK`: D 0 … A 3). */
  addRanked(term: string, position: number, rank: number): void;
  /** The tsvector literal, e.g. `'网关':1A,5C 'graphql':2A`; empty string for no terms. */
  build(): string;
  /** Number of distinct terms so far. */
  readonly size: number;
}

const WEIGHT_SUFFIX = ['', 'C', 'B', 'A'] as const;

/**
 * `position` + weight letter, as written after a lexeme, by packed entry (position × 4 + weight
 * rank): filled as met, so each is formatted once per process rather than once per term.
 */
const ENTRY_TEXT = new Array<string | undefined>((MAX_POSITION + 1) * 4);

function entryText(packed: number): string {
  let text = ENTRY_TEXT[packed];
  if (text === undefined) {
    text = `${packed >> 2}${WEIGHT_SUFFIX[packed & 3]!}`;
    ENTRY_TEXT[packed] = text;
  }
  return text;
}

const ascending = (a: number, b: number) => a - b;

const SPACE = 0x20;
const QUOTE = 0x27;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * A string written code unit by code unit into a reused buffer (UTF-16 code units as
 * little-endian bytes, whatever the machine) and made a string once. Concatenating the literal
 * term by term made a few short-lived strings per term (the quoted lexeme, its positions, a rope
 * node): most of what building a vector allocated, and the indexer's garbage collection.
 */
class UnitWriter {
  private bytes = new Uint8Array(16 * 1024);
  /** Code units written. */
  length = 0;

  unit(code: number): void {
    if (this.length * 2 + 2 > this.bytes.length) this.grow(1);
    const at = this.length * 2;
    this.bytes[at] = code & 0xff;
    this.bytes[at + 1] = code >> 8;
    this.length += 1;
  }

  text(text: string): void {
    if ((this.length + text.length) * 2 > this.bytes.length) this.grow(text.length);
    let at = this.length * 2;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      this.bytes[at++] = code & 0xff;
      this.bytes[at++] = code >> 8;
    }
    this.length += text.length;
  }

  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length * 2).toString('utf16le');
  }

  private grow(units: number): void {
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, (this.length + units) * 2));
    grown.set(this.bytes.subarray(0, this.length * 2));
    this.bytes = grown;
  }
}

/** The literal `build` is writing (one build at a time: it calls nothing that builds). */
const LITERAL = new UnitWriter();

/**
 * A class, not an object literal with a `size` getter: V8 gives every such literal (a fresh
 * getter each) a map of its own, which made each `add` a megamorphic call (measured: about six
 * times slower than a plain `Map` update).
 */
class TsvectorBuilder implements VectorBuilder {
  // Per term: position * 4 + weight rank, in the order added (mostly ascending). Terms are
  // written in the order first added.
  private readonly terms = new Map<string, number[]>();

  add(term: string, position: number, weight: Weight): void {
    this.addRanked(term, position, WEIGHT_RANK[weight]);
  }

  addRanked(term: string, position: number, rank: number): void {
    const packed = Math.min(Math.max(1, position), MAX_POSITION) * 4 + rank;
    const list = this.terms.get(term);
    if (list === undefined) this.terms.set(term, [packed]);
    else list.push(packed);
  }

  build(): string {
    const out = LITERAL;
    out.length = 0;
    this.terms.forEach((list, term) => {
      // Sorted by position, then by weight: the last entry of a position is its strongest.
      if (list.length > 1 && !isAscending(list)) sortAscending(list);
      if (out.length > 0) out.unit(SPACE);
      if (term.includes("'") || term.includes('\\')) out.text(quoteLexeme(term));
      else {
        out.unit(QUOTE);
        out.text(term);
        out.unit(QUOTE);
      }
      out.unit(COLON);
      let kept = 0;
      for (let i = 0; i < list.length && kept < MAX_POSITIONS_PER_TERM; i++) {
        const packed = list[i]!;
        if (i + 1 < list.length && list[i + 1]! >> 2 === packed >> 2) continue;
        if (kept > 0) out.unit(COMMA);
        out.text(entryText(packed));
        kept += 1;
      }
    });
    return out.toString();
  }

  get size(): number {
    return this.terms.size;
  }
}

/** Lists up to this long are sorted in place by insertion (most are a few entries, nearly sorted). */
const INSERTION_SORT_MAX = 32;

/**
 * Sorts numbers ascending. Most lists out of order are a term's few entries (a two-character
 * word is also the bigram at its position, added after it with a lower weight): insertion sort
 * allocates nothing, where `Array.prototype.sort` copies the list into a work array each time
 * (profiled: a quarter of the bytes the analysis of a post allocated).
 */
function sortAscending(list: number[]): void {
  if (list.length > INSERTION_SORT_MAX) {
    list.sort(ascending);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const value = list[i]!;
    let j = i - 1;
    while (j >= 0 && list[j]! > value) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = value;
  }
}

function isAscending(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return false;
  return true;
}

export function createVectorBuilder(): VectorBuilder {
  return new TsvectorBuilder();
}
