import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerProblem, firstDifference } from './compare.js';
import { BENCH_DIR, createRunContext, REPO_ROOT, RESULTS_DIR, type BenchGraph, type RunContext } from './context.js';
import { startGuildGraph } from './guild/graph.js';
import { measuredWindow, runLoad } from './load.js';
import { parseOptions, type Options } from './options.js';
import { renderSvg } from './plot.js';
import { startPlazaGraph } from './plaza/graph.js';
import { CLOCK_TICKS_PER_SECOND, cpuMsPerRequest, sampleTreeRss, treeCpuTicks, treesCpuTicks } from './proc.js';
import { installCleanup, post, type HttpAnswer } from './processes.js';
import { renderMarkdown } from './report.js';
import type { GraphResult, Results } from './results.js';
import { evaluateTargets, summarizeVariant, type RunRecord } from './stats.js';
import { startVariant, VARIANT_TITLES, type VariantId } from './variants.js';

/**
 * The gateway benchmark, in one invocation: for each graph (the Guild's shape, then Plaza's own),
 * start its subgraphs, then in alternating rounds start each variant alone, check its answers
 * against the first variant's, warm it up, load it, measure it, stop it. Writes
 * bench/results/<out>.json, .md and .svg.
 */

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

function versionOf(dir: string, pkg: string): string {
  const file = join(dir, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'not installed';
}

function git(args: string[]): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function versions(): Record<string, string> {
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'gateway']) !== '';
  return {
    Node: process.version,
    "Plaza's gateway": `${commit || 'unknown commit'}${dirty ? ' + uncommitted changes in gateway/' : ''}; GATEWAY_EXECUTOR=${process.env.GATEWAY_EXECUTOR ?? "(unset: the gateway's default)"}`,
    "Plaza's gateway: @apollo/gateway / @apollo/server / graphql": `${versionOf(REPO_ROOT, '@apollo/gateway')} / ${versionOf(REPO_ROOT, '@apollo/server')} / ${versionOf(REPO_ROOT, 'graphql')}`,
    'Hive Gateway (@graphql-hive/gateway / gateway-runtime / @graphql-tools/delegate)': `${versionOf(BENCH_DIR, '@graphql-hive/gateway')} / ${versionOf(BENCH_DIR, '@graphql-hive/gateway-runtime')} / ${versionOf(BENCH_DIR, '@graphql-tools/delegate')}`,
    'stock @apollo/gateway / @apollo/server': `${versionOf(BENCH_DIR, '@apollo/gateway')} / ${versionOf(BENCH_DIR, '@apollo/server')}`,
    'subgraphs: @apollo/subgraph / @apollo/composition / graphql': `${versionOf(BENCH_DIR, '@apollo/subgraph')} / ${versionOf(BENCH_DIR, '@apollo/composition')} / ${versionOf(BENCH_DIR, 'graphql')}`,
    autocannon: versionOf(BENCH_DIR, 'autocannon'),
  };
}

interface References {
  /** Parsed answers by request label, from the first variant that answered. */
  gateway: Map<string, unknown>;
  limit: Map<string, unknown>;
  from: string | undefined;
  bytes: number;
  mismatches: string[];
}

/** Asks every distinct request once; checks each answer is clean and equal to the reference. */
async function checkAnswers(variant: VariantId, graph: BenchGraph, url: string, refs: References): Promise<string | null> {
  const isLimit = variant === 'limit';
  const requests = isLimit ? graph.limit.requests : graph.requests;
  const refMap = isLimit && !graph.limit.sameAnswers ? refs.limit : refs.gateway;
  if (new Set(requests.map((r) => r.label)).size !== requests.length) throw new Error('request labels must be unique: they key the reference answers');
  // Asked 6 at a time (a 60-request mix takes a few seconds), compared in the mix's order.
  const answers: HttpAnswer[] = [];
  for (let i = 0; i < requests.length; i += 6) {
    answers.push(...(await Promise.all(requests.slice(i, i + 6).map((r) => post(url, r.body, r.headers)))));
  }
  for (const [i, r] of requests.entries()) {
    const answer = answers[i] as HttpAnswer;
    const problem = answerProblem(answer.status, answer.body);
    if (problem) return `${r.label}: ${problem}`;
    const parsed: unknown = JSON.parse(answer.body);
    if (!refMap.has(r.label)) {
      refMap.set(r.label, parsed);
      if (refMap === refs.gateway) {
        refs.from ??= VARIANT_TITLES[variant];
        refs.bytes += Buffer.byteLength(answer.body);
      }
      continue;
    }
    const diff = firstDifference(refMap.get(r.label), parsed);
    if (diff) {
      const message = `${VARIANT_TITLES[variant]}, ${r.label}: ${diff}`;
      if (!refs.mismatches.includes(message)) refs.mismatches.push(message);
      return `answer differs from the reference: ${diff} (${r.label})`;
    }
  }
  return null;
}

async function quiesce(graph: BenchGraph): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = await graph.subgraphRequests();
  while (Date.now() < deadline) {
    await sleep(300);
    const now = await graph.subgraphRequests();
    if (now === last) return;
    last = now;
  }
}

async function measure(variant: VariantId, round: number, graph: BenchGraph, ctx: RunContext, o: Options, refs: References, commands: GraphResult['variants']): Promise<RunRecord> {
  const t0 = Date.now();
  let running: Awaited<ReturnType<typeof startVariant>>;
  try {
    running = await startVariant(variant, graph, ctx, { workers: o.workers });
  } catch (err) {
    return { variant, round, ok: false, error: `did not start: ${err instanceof Error ? err.message : String(err)}` };
  }
  commands[variant] = { command: running.command, cwd: running.cwd, env: running.env };
  const rss = sampleTreeRss(running.measuredPid);
  try {
    const url = `${running.origin}${running.path}`;
    const problem = await checkAnswers(variant, graph, url, refs);
    const startupMs = Date.now() - t0;
    if (problem) return { variant, round, ok: false, error: problem, startupMs };
    const requests = variant === 'limit' ? graph.limit.requests : graph.requests;
    const load = { origin: running.origin, path: running.path, requests, connections: o.connections };
    if (o.warmupSeconds > 0) await runLoad({ ...load, durationSeconds: o.warmupSeconds });
    // autocannon drops the connections at the end of the warm-up, but the gateway still finishes
    // what it had in hand: wait for that, so it does not count in the measured window.
    await quiesce(graph);
    const subgraphPids = graph.subgraphPids.filter((p) => p !== running.measuredPid);
    const durationMs = o.durationSeconds * 1000;
    const window = measuredWindow(durationMs);
    const { summary: result, marks } = await runLoad(
      { ...load, durationSeconds: o.durationSeconds },
      {
        atMs: [window.startMs, window.endMs],
        // CPU first (synchronous, at the mark), then the subgraphs' counters (a few ms later).
        take: async () => {
          const gw = treeCpuTicks(running.measuredPid);
          const sg = treesCpuTicks(subgraphPids);
          return { gw, sg, reqs: await graph.subgraphRequests() };
        },
      },
    );
    rss.stop();
    const [m0, m1] = marks;
    const answered = m0 && m1 ? m1.completed - m0.completed : 0;
    return {
      variant,
      round,
      ok: true,
      startupMs,
      load: result,
      peakRssMb: rss.peakBytes() / 1024 / 1024,
      windowMs: window.endMs - window.startMs,
      windowRequests: answered,
      gatewayCpuMsPerReq: m0 && m1 ? cpuMsPerRequest(m0.value.gw, m1.value.gw, CLOCK_TICKS_PER_SECOND, answered) : null,
      subgraphCpuMsPerReq: m0 && m1 ? cpuMsPerRequest(m0.value.sg, m1.value.sg, CLOCK_TICKS_PER_SECOND, answered) : null,
      subgraphRequestsPerReq: m0 && m1 && answered > 0 ? (m1.value.reqs - m0.value.reqs) / answered : null,
    };
  } catch (err) {
    return { variant, round, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    rss.stop();
    await running.stop();
  }
}

function describeRun(r: RunRecord): string {
  if (!r.ok || !r.load) return `FAILED: ${r.error ?? ''}`;
  const l = r.load;
  return [
    `${l.reqPerSec.toFixed(1)} req/s`,
    `p50 ${l.latencyMs.p50} ms`,
    `p99 ${l.latencyMs.p99} ms`,
    `err ${l.errors}/${l.non2xx}/${l.graphqlErrors}${l.errorSample ? ` (first: ${l.errorSample.slice(0, 200)})` : ''}`,
    `RSS ${r.peakRssMb?.toFixed(0)} MB`,
    `gw CPU ${r.gatewayCpuMsPerReq?.toFixed(2)} ms/req`,
    `sg CPU ${r.subgraphCpuMsPerReq?.toFixed(2)} ms/req`,
    `sg req ${r.subgraphRequestsPerReq?.toFixed(2)}/req`,
  ].join(', ');
}

async function benchGraph(graph: BenchGraph, ctx: RunContext, o: Options): Promise<GraphResult> {
  const refs: References = { gateway: new Map(), limit: new Map(), from: undefined, bytes: 0, mismatches: [] };
  const runs: RunRecord[] = [];
  const commands: GraphResult['variants'] = {};
  for (let round = 1; round <= o.rounds; round++) {
    // Alternating: odd rounds in order, even rounds reversed, so a drift of the machine's load
    // over time weighs on every variant alike. The first variant of round 1 gives the reference.
    const order = round % 2 === 1 ? o.variants : [...o.variants].reverse();
    for (const variant of order) {
      ctx.log(`${graph.id} round ${round}/${o.rounds}: ${VARIANT_TITLES[variant]} ...`);
      const record = await measure(variant, round, graph, ctx, o, refs, commands);
      runs.push(record);
      ctx.log(`${graph.id} round ${round}/${o.rounds}: ${VARIANT_TITLES[variant]}: ${describeRun(record)}`);
    }
  }
  const summary = o.variants.map((v) => summarizeVariant(v, runs));
  return {
    id: graph.id,
    title: graph.title,
    details: { ...graph.details, limit: graph.limit.description },
    answers: { requests: graph.requests.length, referenceBytes: refs.bytes, referenceFrom: refs.from ?? 'none', mismatches: refs.mismatches },
    variants: commands,
    runs,
    summary,
    targets: evaluateTargets(summary),
  };
}

/** A graph whose subgraphs could not be started: its variants are reported as not run. */
function failedGraph(id: 'guild' | 'plaza', message: string, o: Options): GraphResult {
  const runs: RunRecord[] = o.variants.map((variant) => ({ variant, round: 1, ok: false, error: `the graph did not start: ${message}` }));
  const summary = o.variants.map((v) => summarizeVariant(v, runs));
  return {
    id,
    title: id === 'guild' ? "The Guild's benchmark shape" : "Plaza's own graph",
    details: { error: message },
    answers: { requests: 0, referenceBytes: 0, referenceFrom: 'none', mismatches: [] },
    variants: {},
    runs,
    summary,
    targets: evaluateTargets(summary),
  };
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const help = process.argv.includes('--help') || process.argv.includes('-h');
    (help ? console.log : console.error)(message);
    process.exit(help ? 0 : 2);
  }
  installCleanup();
  const ctx = createRunContext(process.env, log);
  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench:gateway${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}${process.env.GATEWAY_EXECUTOR ? ` (GATEWAY_EXECUTOR=${process.env.GATEWAY_EXECUTOR})` : ''}`,
    options: {
      rounds: o.rounds,
      durationSeconds: o.durationSeconds,
      warmupSeconds: o.warmupSeconds,
      connections: o.connections,
      workers: o.workers,
      variants: o.variants,
      graphs: o.graphs,
    },
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      os: `${type()} ${release()}`,
      node: process.version,
      loadAverageAtStart: loadavg(),
    },
    versions: versions(),
    graphs: [],
  };
  const started = Date.now();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = join(RESULTS_DIR, o.out);
  // Written after each graph, so a graph that cannot run does not lose the other's figures.
  const write = () => {
    writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(results).replace('](gateway.svg)', `](${o.out}.svg)`));
    writeFileSync(`${base}.svg`, renderSvg(results));
  };
  for (const id of o.graphs) {
    ctx.log(`${id}: starting subgraphs`);
    let graph: BenchGraph;
    try {
      graph = id === 'guild' ? await startGuildGraph(ctx) : await startPlazaGraph(ctx, { reseed: o.reseed });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log(`${id}: could not start: ${message}`);
      results.graphs.push(failedGraph(id, message, o));
      write();
      continue;
    }
    try {
      results.graphs.push(await benchGraph(graph, ctx, o));
    } finally {
      await graph.close();
    }
    write();
  }
  log(`done in ${((Date.now() - started) / 60_000).toFixed(1)} min: ${base}.json, .md, .svg`);
  for (const g of results.graphs) {
    log(`${g.id}:`);
    for (const s of g.summary)
      log(`  ${s.title.padEnd(38)} ${s.reqPerSec?.toFixed(1) ?? 'failed'} req/s, p99 ${s.p99Ms ?? '–'} ms, RSS ${s.peakRssMb?.toFixed(0) ?? '–'} MB, CPU ${s.gatewayCpuMsPerReq?.toFixed(2) ?? '–'} ms/req, ${s.subgraphRequestsPerReq?.toFixed(2) ?? '–'} sg req/req`);
    for (const t of g.targets) log(`  target ${t.name}: ${t.measured} (${t.met === null ? 'n/a' : t.met ? 'met' : 'not met'})`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
