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
    let literal = '';
    this.terms.forEach((list, term) => {
      // Sorted by position, then by weight: the last entry of a position is its strongest.
      if (list.length > 1 && !isAscending(list)) list.sort(ascending);
      let out = '';
      let kept = 0;
      for (let i = 0; i < list.length && kept < MAX_POSITIONS_PER_TERM; i++) {
        const packed = list[i]!;
        if (i + 1 < list.length && list[i + 1]! >> 2 === packed >> 2) continue;
        out = kept === 0 ? entryText(packed) : `${out},${entryText(packed)}`;
        kept += 1;
      }
      literal = literal === '' ? `${quoteLexeme(term)}:${out}` : `${literal} ${quoteLexeme(term)}:${out}`;
    });
    return literal;
  }

  get size(): number {
    return this.terms.size;
  }
}

function isAscending(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return false;
  return true;
}

export function createVectorBuilder(): VectorBuilder {
  return new TsvectorBuilder();
}
