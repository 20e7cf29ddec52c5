/**
 * A Bloom filter (one hash) over short strings, read straight from a text's code units: "is this
 * stretch of the text possibly one of the strings added?" without slicing it out and hashing it
 * into a Map first. Never answers no for a string that was added, so a lookup it skips would have
 * found nothing (the analysis is the same with or without it; only faster when most candidates
 * are not there, as with the dictionary parts of a word and the regional vocabulary).
 */
export class StringFilter {
  private readonly bits: Uint32Array;
  private readonly shift: number;

  /** `log2Bits`: size of the filter; about 8 bits per string added keeps misses cheap. */
  constructor(log2Bits: number) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.shift = 32 - log2Bits;
  }

  add(text: string): void {
    const bit = this.hash(text, 0, text.length);
    this.bits[bit >>> 5]! |= 1 << (bit & 31);
  }

  /** Whether `text.slice(start, end)` may have been added. */
  mayHave(text: string, start: number, end: number): boolean {
    const bit = this.hash(text, start, end);
    return (this.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  private hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    // The top bits of a final mix, as the bit index.
    return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> this.shift;
  }
}
