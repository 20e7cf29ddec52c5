/**
 * A JSON array of rows for `jsonb_to_recordset`, encoded (UTF-8) into a Buffer row by row as the
 * rows are made, and sent to Postgres as that Buffer (`${rows.bytes()}::text::jsonb`).
 *
 * The posts of a chunk used to be collected as objects and stringified at the end: each post's
 * tsvector text (a rope of some hundred small strings until it is flattened) and its row then
 * stayed on the heap while the rest of the chunk was analysed, were copied by every scavenge and
 * promoted (profiled: garbage collection was a quarter of the indexer's time), and the JSON was
 * written three times (stringified, measured, encoded by node-postgres). Here a row's strings die
 * young, and the bytes live outside the JavaScript heap. The text is exactly `JSON.stringify` of
 * the same rows: callers write each value with `JSON.stringify`.
 *
 * A writer is meant to be reused (`clear`): a fresh buffer of some megabytes per chunk is paid
 * for in page faults as it is first written (profiled: encoding the rows went from 7 % of the
 * indexer's time with a new buffer per chunk to under 1 % with reused ones).
 */
export class JsonRows {
  private buffer: Buffer;
  /** Bytes written, the opening `[` included. */
  private length = 1;
  /** Rows added. */
  count = 0;

  constructor(capacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 16));
    this.buffer[0] = 0x5b; // [
  }

  /** Empties the array, keeping the buffer. */
  clear(): void {
    this.length = 1;
    this.count = 0;
  }

  /** Bytes the buffer holds. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Appends one row, the JSON text of an object (`{"a":1,…}`). */
  add(row: string): void {
    // A UTF-16 code unit is at most three bytes of UTF-8; one more for the comma.
    this.reserve(row.length * 3 + 1);
    if (this.count > 0) this.buffer[this.length++] = 0x2c; // ,
    this.length += this.buffer.write(row, this.length, 'utf8');
    this.count += 1;
  }

  /** The array so far, closed: a view of the writer's buffer, valid until the next `add` or `clear`. */
  bytes(): Buffer {
    this.reserve(1);
    this.buffer[this.length] = 0x5d; // ]
    return this.buffer.subarray(0, this.length + 1);
  }

  private reserve(bytes: number): void {
    // One byte kept for the closing `]`.
    const needed = this.length + bytes + 1;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
