/**
 * Deep merge of a subgraph's answer into the data gathered so far, with the semantics of
 * @apollo/gateway's `deepMerge` (utilities/deepMerge.ts): objects merge key by key, arrays of the
 * same length merge element by element, anything else replaces. Nested objects of `source` are
 * adopted by reference, not copied, as there.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keys an object literal inherits (`constructor`, `toString`, `__proto__`…) must be written as own properties. */
function defineOwn(target: Record<string, unknown>, key: string): void {
  if (key in Object.prototype && !Object.hasOwn(target, key) && key in target) {
    Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
  }
}

export function deepMerge(target: unknown, source: unknown): unknown {
  if (source === undefined || source === null) return target;
  const t = target as Record<string, unknown>;
  const s = source as Record<string, unknown>;
  const keys = Object.keys(s);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value: unknown = s[key];
    if (value === undefined) continue;
    defineOwn(t, key);
    const existing = t[key];
    if (existing && isPlainObject(value)) {
      deepMerge(existing, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const e: unknown = existing[i];
        if (isPlainObject(e) && isPlainObject(v)) deepMerge(e, v);
        else existing[i] = v;
      }
    } else {
      t[key] = value;
    }
  }
  return target;
}
