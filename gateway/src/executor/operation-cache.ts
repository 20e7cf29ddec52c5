/**
 * A small LRU by entry count (Map keeps insertion order; a hit moves the entry to the end).
 * Prepared operations are a few KB to a few hundred KB each; 1,000 of them is the working set of
 * a real client population with persisted documents, and bounds memory under junk documents.
 */
export function createLru<V>(maxEntries: number) {
  const map = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key: string, value: V): void {
      if (map.has(key)) map.delete(key);
      map.set(key, value);
      if (map.size > maxEntries) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
    },
    clear(): void {
      map.clear();
    },
    get size(): number {
      return map.size;
    },
  };
}
