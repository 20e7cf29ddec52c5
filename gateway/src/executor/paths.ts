import type { ResponsePath } from '@apollo/query-planner';

/**
 * Walking the gathered data along a plan path (`["posts", "@", "author"]`, `@` for "every list
 * element"), as @apollo/gateway's flattenResultsAtPath and generateHydratedPaths do.
 */

/** The values at `path` below `value`, flattened over `@`; undefined/null when the walk ends early. */
export function flattenAtPath(value: unknown, path: ResponsePath, from = 0): unknown {
  if (from === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from];
  if (current === '@') {
    if (!Array.isArray(value)) throw new Error('Unexpected non-array value for path element @');
    const out: unknown[] = [];
    for (const element of value) {
      const inner = flattenAtPath(element, path, from + 1);
      if (Array.isArray(inner)) for (const x of inner) out.push(x);
      else out.push(inner);
    }
    return out;
  }
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  const obj = value as Record<string, unknown>;
  return flattenAtPath(Object.hasOwn(obj, current) ? obj[current] : undefined, path, from + 1);
}

/**
 * The concrete paths (`@` replaced by indexes) of every non-null value at `path`, in order: how an
 * entity fetch's error at `_entities[i]` finds its place in the response.
 */
export function hydratedPaths(path: ResponsePath, data: unknown): ResponsePath[] {
  const result: ResponsePath[] = [];
  const parent: ResponsePath = [];
  const walk = (from: number, value: unknown) => {
    if (value === undefined || value === null) return;
    const head = path[from];
    if (head === undefined) {
      result.push(parent.slice());
    } else if (head === '@') {
      if (!Array.isArray(value)) throw new Error('expected array when encountering `@`');
      for (let i = 0; i < value.length; i++) {
        parent.push(i);
        walk(from + 1, value[i]);
        parent.pop();
      }
    } else if (typeof head === 'string') {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          parent.push(i);
          walk(from, value[i]);
          parent.pop();
        }
      } else if (Object.hasOwn(value, head)) {
        parent.push(head);
        walk(from + 1, (value as Record<string, unknown>)[head]);
        parent.pop();
      }
    } else {
      throw new Error(`unknown path part "${String(head)}"`);
    }
  };
  walk(0, data);
  return result;
}

/**
 * Type-conditioned plan paths (the planner's `typeConditionedFetching`): an element may carry the
 * types its values must have, `products.@|[Toaster]`, `review|[UserReview].product`; `''` stands
 * for the current value. Values of other types are left out: no representation is sent for them.
 */
export function isConditionedPath(path: ResponsePath): boolean {
  return path.some((e) => typeof e === 'string' && (e === '' || e.includes('|[')));
}

interface ConditionedElement {
  key: string;
  types: Set<string> | undefined;
}

function parseElement(element: string | number): ConditionedElement {
  const text = String(element);
  const bar = text.indexOf('|[');
  if (bar < 0) return { key: text, types: undefined };
  return { key: text.slice(0, bar), types: new Set(text.slice(bar + 2, -1).split(',').filter((t) => t.length > 0)) };
}

/** Whether `value` may stay under `types` (an object without `__typename` stays, as without conditions). */
function keeps(value: unknown, types: Set<string> | undefined): boolean {
  if (!types || value === null || typeof value !== 'object' || Array.isArray(value)) return true;
  const typename = (value as Record<string, unknown>).__typename;
  return typeof typename !== 'string' || types.has(typename);
}

/** `flattenAtPath` for type-conditioned paths (values of other types left out). */
export function flattenConditioned(value: unknown, path: ResponsePath): unknown {
  const parsed = path.map(parseElement);
  const walk = (current: unknown, from: number): unknown => {
    if (from === parsed.length) return current;
    if (current === undefined || current === null) return current;
    const { key, types } = parsed[from]!;
    if (key === '@') {
      if (!Array.isArray(current)) throw new Error('Unexpected non-array value for path element @');
      const out: unknown[] = [];
      for (const element of current) {
        if (!keeps(element, types)) continue;
        const inner = walk(element, from + 1);
        if (Array.isArray(inner)) for (const x of inner) out.push(x);
        else if (inner !== undefined) out.push(inner);
      }
      return out;
    }
    if (Array.isArray(current)) throw new Error(`Unexpected array in result for path element ${key}`);
    const next = key === '' ? current : Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    if (!keeps(next, types)) return undefined;
    return walk(next, from + 1);
  };
  return walk(value, 0);
}

/** A plan path as the client sees it: conditions and `''` elements removed. */
export function withoutConditions(path: ResponsePath): ResponsePath {
  const out: ResponsePath = [];
  for (const element of path) {
    if (typeof element !== 'string') {
      out.push(element);
      continue;
    }
    const { key } = parseElement(element);
    if (key !== '') out.push(key);
  }
  return out;
}

/** `hydratedPaths` for type-conditioned paths: the same entities, in the same order, as `flattenConditioned`. */
export function hydratedConditionedPaths(path: ResponsePath, data: unknown): ResponsePath[] {
  const parsed = path.map(parseElement);
  const result: ResponsePath[] = [];
  const parent: ResponsePath = [];
  const walk = (from: number, value: unknown) => {
    if (value === undefined || value === null) return;
    const head = parsed[from];
    if (head === undefined) {
      result.push(parent.slice());
    } else if (head.key === '@') {
      if (!Array.isArray(value)) throw new Error('expected array when encountering `@`');
      for (let i = 0; i < value.length; i++) {
        if (!keeps(value[i], head.types)) continue;
        parent.push(i);
        walk(from + 1, value[i]);
        parent.pop();
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        parent.push(i);
        walk(from, value[i]);
        parent.pop();
      }
    } else if (head.key === '') {
      if (keeps(value, head.types)) walk(from + 1, value);
    } else if (Object.hasOwn(value, head.key)) {
      const next = (value as Record<string, unknown>)[head.key];
      if (!keeps(next, head.types)) return;
      parent.push(head.key);
      walk(from + 1, next);
      parent.pop();
    }
  };
  walk(0, data);
  return result;
}
