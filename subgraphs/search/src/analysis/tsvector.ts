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

const WEIGHT_RANK: Record<Weight, number> = { A: 3, B: 2, C: 1, D: 0 };

/** A term as a quoted tsvector/tsquery lexeme: `'it''s'`, backslashes doubled. */
export function quoteLexeme(term: string): string {
  if (!term.includes("'") && !term.includes('\\')) return `'${term}'`;
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Collects (term, position, weight) and writes a tsvector literal. */
export interface VectorBuilder {
  add(term: string, position: number, weight: Weight): void;
  /** The tsvector literal, e.g. `'网关':1A,5C 'graphql':2A`; empty string for no terms. */
  build(): string;
  /** Number of distinct terms so far. */
  readonly size: number;
}

const WEIGHT_SUFFIX = ['', 'C', 'B', 'A'] as const;

export function createVectorBuilder(): VectorBuilder {
  // Per term: position * 4 + weight rank, in the order added (mostly ascending).
  const terms = new Map<string, number[]>();
  return {
    add(term, position, weight) {
      const at = Math.min(Math.max(1, position), MAX_POSITION);
      const packed = at * 4 + WEIGHT_RANK[weight];
      const list = terms.get(term);
      if (list === undefined) terms.set(term, [packed]);
      else list.push(packed);
    },
    build() {
      const parts: string[] = [];
      for (const [term, list] of terms) {
        // Sorted by position, then by weight: the last entry of a position is its strongest.
        if (list.length > 1) list.sort((a, b) => a - b);
        let out = '';
        let kept = 0;
        for (let i = 0; i < list.length && kept < MAX_POSITIONS_PER_TERM; i++) {
          const packed = list[i]!;
          const position = packed >> 2;
          if (i + 1 < list.length && list[i + 1]! >> 2 === position) continue;
          out += `${kept === 0 ? '' : ','}${position}${WEIGHT_SUFFIX[packed & 3]!}`;
          kept += 1;
        }
        parts.push(`${quoteLexeme(term)}:${out}`);
      }
      return parts.join(' ');
    },
    get size() {
      return terms.size;
    },
  };
}
