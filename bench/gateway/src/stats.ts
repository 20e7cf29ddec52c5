import type { LoadSummary } from './load.js';
import { VARIANT_TITLES, type VariantId } from './variants.js';

/** One variant measured once (one round). */
export interface RunRecord {
  variant: VariantId;
  round: number;
  ok: boolean;
  /** Why it was not measured (start failure, an answer that differs, ...). */
  error?: string;
  /** Milliseconds from spawning the process to its first correct answer. */
  startupMs?: number;
  load?: LoadSummary;
  /** Largest resident size of the gateway's process tree, from start to the end of the load, MB. */
  peakRssMb?: number;
  /** The steady-state window inside the load over which the per-request figures are taken, ms. */
  windowMs?: number;
  /** Answers received in that window. */
  windowRequests?: number;
  /** CPU of the gateway's process tree over the window per answered request, ms. */
  gatewayCpuMsPerReq?: number | null;
  /** CPU of every subgraph process over the window per answered request, ms. */
  subgraphCpuMsPerReq?: number | null;
  /** Requests the subgraphs received over the window per answered client request. */
  subgraphRequestsPerReq?: number | null;
}

export interface VariantSummary {
  variant: VariantId;
  title: string;
  /** Rounds measured without failure. */
  rounds: number;
  failures: string[];
  /** Median over rounds. */
  reqPerSec: number | null;
  reqPerSecRounds: number[];
  p50Ms: number | null;
  p99Ms: number | null;
  /** Sums over rounds. */
  errors: number;
  non2xx: number;
  graphqlErrors: number;
  /** Largest over rounds. */
  peakRssMb: number | null;
  gatewayCpuMsPerReq: number | null;
  subgraphCpuMsPerReq: number | null;
  subgraphRequestsPerReq: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const numbers = (xs: readonly (number | null | undefined)[]): number[] => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

export function summarizeVariant(variant: VariantId, runs: readonly RunRecord[]): VariantSummary {
  const mine = runs.filter((r) => r.variant === variant);
  const ok = mine.filter((r) => r.ok && r.load);
  const loads = ok.map((r) => r.load as LoadSummary);
  const rss = numbers(ok.map((r) => r.peakRssMb));
  return {
    variant,
    title: VARIANT_TITLES[variant],
    rounds: ok.length,
    failures: mine.filter((r) => !r.ok).map((r) => `round ${r.round}: ${r.error ?? 'failed'}`),
    reqPerSec: median(loads.map((l) => l.reqPerSec)),
    reqPerSecRounds: loads.map((l) => l.reqPerSec),
    p50Ms: median(loads.map((l) => l.latencyMs.p50)),
    p99Ms: median(loads.map((l) => l.latencyMs.p99)),
    errors: loads.reduce((n, l) => n + l.errors, 0),
    non2xx: loads.reduce((n, l) => n + l.non2xx, 0),
    graphqlErrors: loads.reduce((n, l) => n + l.graphqlErrors, 0),
    peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
    gatewayCpuMsPerReq: median(numbers(ok.map((r) => r.gatewayCpuMsPerReq))),
    subgraphCpuMsPerReq: median(numbers(ok.map((r) => r.subgraphCpuMsPerReq))),
    subgraphRequestsPerReq: median(numbers(ok.map((r) => r.subgraphRequestsPerReq))),
  };
}

export interface Target {
  name: string;
  /** The measured ratio or comparison, as text. */
  measured: string;
  /** null when it could not be evaluated (a variant missing or failed). */
  met: boolean | null;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

/**
 * The team's targets, from one run: Plaza ÷ Hive Gateway ≥ 1.3 in req/s with a p99 no worse (one
 * process each); Plaza with inbound dedup ≥ Hive with inbound dedup; Plaza's peak RSS ≤ stock
 * Apollo's.
 */
export function evaluateTargets(summary: readonly VariantSummary[]): Target[] {
  const by = (v: VariantId) => summary.find((s) => s.variant === v && s.rounds > 0);
  const plaza = by('plaza');
  const hive = by('hive');
  const plazaDedup = by('plaza-dedup');
  const hiveDedup = by('hive-dedup');
  const apollo = by('apollo');
  const targets: Target[] = [];
  if (plaza?.reqPerSec != null && hive?.reqPerSec != null && hive.reqPerSec > 0) {
    const ratio = plaza.reqPerSec / hive.reqPerSec;
    targets.push({ name: 'Plaza ÷ Hive Gateway req/s ≥ 1.3', measured: fmt(ratio), met: ratio >= 1.3 });
  } else targets.push({ name: 'Plaza ÷ Hive Gateway req/s ≥ 1.3', measured: 'n/a', met: null });
  if (plaza?.p99Ms != null && hive?.p99Ms != null) {
    targets.push({ name: 'Plaza p99 ≤ Hive Gateway p99', measured: `${fmt(plaza.p99Ms, 0)} ms vs ${fmt(hive.p99Ms, 0)} ms`, met: plaza.p99Ms <= hive.p99Ms });
  } else targets.push({ name: 'Plaza p99 ≤ Hive Gateway p99', measured: 'n/a', met: null });
  if (plazaDedup?.reqPerSec != null && hiveDedup?.reqPerSec != null && hiveDedup.reqPerSec > 0) {
    const ratio = plazaDedup.reqPerSec / hiveDedup.reqPerSec;
    targets.push({ name: 'Plaza inbound dedup ≥ Hive inbound dedup (req/s)', measured: `${fmt(ratio)}×`, met: ratio >= 1 });
  } else targets.push({ name: 'Plaza inbound dedup ≥ Hive inbound dedup (req/s)', measured: 'n/a', met: null });
  if (plaza?.peakRssMb != null && apollo?.peakRssMb != null) {
    targets.push({
      name: "Plaza peak RSS ≤ stock Apollo's",
      measured: `${fmt(plaza.peakRssMb, 0)} MB vs ${fmt(apollo.peakRssMb, 0)} MB`,
      met: plaza.peakRssMb <= apollo.peakRssMb,
    });
  } else targets.push({ name: "Plaza peak RSS ≤ stock Apollo's", measured: 'n/a', met: null });
  return targets;
}
