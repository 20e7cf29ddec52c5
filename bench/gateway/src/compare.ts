/**
 * Answer equality: two GraphQL responses are equal when their parsed JSON values are equal.
 * Object key order and white space are not compared (JSON does not give them meaning); array order
 * is. `firstDifference` names where they part, for the report.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function describe(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Null when equal, else the path of the first difference and both values there. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: ${describe(a)} ≠ ${describe(b)}`;
    if (a.length !== b.length) return `${path}: ${a.length} items ≠ ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) if (!(k in b)) return `${path}.${k}: present ≠ absent`;
    for (const k of kb) if (!(k in a)) return `${path}.${k}: absent ≠ present`;
    for (const k of ka) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return `${path}: ${describe(a)} ≠ ${describe(b)}`;
}

/** A GraphQL answer that can be loaded: has data and no errors. Returns the problem, or null. */
export function answerProblem(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  if (parsed === null || typeof parsed !== 'object') return `not a GraphQL response: ${body.slice(0, 200)}`;
  const { data, errors } = parsed as { data?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return `errors: ${JSON.stringify(errors).slice(0, 300)}`;
  if (data === null || data === undefined) return 'no data';
  return null;
}
