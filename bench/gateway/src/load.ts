import autocannon, { type Request, type Result } from 'autocannon';

/** One request of a load: a GraphQL POST (body already JSON) with its headers. */
export interface RequestSpec {
  /** What it is, for reports and mismatch messages ("post page #3"). */
  label: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:5100 */
  origin: string;
  path: string;
  requests: readonly RequestSpec[];
  connections: number;
  durationSeconds: number;
}

/** What one measured load gives, in the units reported. */
export interface LoadSummary {
  /** Answers received in the window. */
  requests: number;
  durationSeconds: number;
  reqPerSec: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
  /** 2xx answers whose body carried GraphQL errors. */
  graphqlErrors: number;
  /** The first such answer (or non-2xx answer), cut to 500 characters, to see what went wrong. */
  errorSample?: string;
}

/** The harness's figures from autocannon's result. Pure: unit-tested. */
export function summarize(result: Result, graphqlErrors: number, errorSample?: string): LoadSummary {
  const requests = result.requests.total;
  const durationSeconds = result.duration;
  return {
    requests,
    durationSeconds,
    reqPerSec: durationSeconds > 0 ? requests / durationSeconds : 0,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    ...(errorSample === undefined ? {} : { errorSample }),
  };
}

/** A GraphQL error in an answer's body (the top-level "errors" array). */
export function hasGraphqlErrors(body: string): boolean {
  return body.includes('"errors":[');
}

/**
 * Each connection cycles through the request list, starting at its own offset (spread evenly over
 * the list), so a mix is not sent in lock step by every connection, which would favour inbound
 * de-duplication.
 */
export function rotate<T>(list: readonly T[], offset: number): T[] {
  if (list.length === 0) return [];
  const k = ((offset % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** A reading taken during a load, with the number of answers received when it was taken. */
export interface Mark<T> {
  atMs: number;
  completed: number;
  value: T;
}

/**
 * Runs autocannon: `connections` keep-alive connections for `durationSeconds`. `marks.atMs` are
 * times (ms from the start) at which `marks.take` is called, each reading paired with the answers
 * counted so far: per-request figures are taken between two marks inside the load, in steady
 * state (the start has no request in flight yet, and the end cuts requests short).
 */
export async function runLoad<T = never>(
  opts: LoadOptions,
  marks?: { atMs: readonly number[]; take: () => Promise<T> },
): Promise<{ summary: LoadSummary; marks: Mark<T>[] }> {
  let completed = 0;
  const taken: Promise<Mark<T>>[] = [];
  const timers = (marks?.atMs ?? []).map((atMs) =>
    setTimeout(() => {
      const at = completed;
      if (marks) taken.push(marks.take().then((value) => ({ atMs, completed: at, value })));
    }, atMs),
  );
  try {
    const summary = await autocannonRun(opts, () => {
      completed += 1;
    });
    return { summary, marks: await Promise.all(taken) };
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

function autocannonRun(opts: LoadOptions, onAnswer: () => void): Promise<LoadSummary> {
  let graphqlErrors = 0;
  let errorSample: string | undefined;
  const requests: Request[] = opts.requests.map((r) => ({
    method: 'POST',
    path: opts.path,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...r.headers },
    body: r.body,
    onResponse: (status, body) => {
      onAnswer();
      const ok = status >= 200 && status < 300;
      if (ok && hasGraphqlErrors(body)) graphqlErrors += 1;
      if ((!ok || hasGraphqlErrors(body)) && errorSample === undefined) errorSample = `HTTP ${status} ${r.label}: ${body.slice(0, 500)}`;
    },
  }));
  let clientIndex = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${opts.origin}${opts.path}`,
        connections: opts.connections,
        duration: opts.durationSeconds,
        // Generous: a request slower than this counts as an error (a timeout), not a latency.
        timeout: 30,
        requests,
        setupClient: (client) => {
          if (requests.length > 1) client.setRequests(rotate(requests, Math.floor((clientIndex++ * requests.length) / opts.connections)));
        },
      },
      (err, result) => (err ? reject(err) : resolve(summarize(result, graphqlErrors, errorSample))),
    );
  });
}

/**
 * Where per-request figures are read inside a load of `durationMs`: from 10% in (at most 3 s: the
 * connections are all busy) to 0.5 s before the end (before autocannon stops). Pure: unit-tested.
 */
export function measuredWindow(durationMs: number): { startMs: number; endMs: number } {
  const startMs = Math.min(3_000, Math.round(durationMs * 0.1));
  const endMs = Math.max(startMs + 1, durationMs - Math.min(500, Math.round(durationMs * 0.05)));
  return { startMs, endMs };
}
