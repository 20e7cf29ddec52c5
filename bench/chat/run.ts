/**
 * npm run bench:chat: realtime chat through the gateway, measured (see README.md).
 *
 * Subgraphs run in one child process, each gateway in its own (so its memory is its own), and
 * this process is the clients: it registers users, makes friend pairs with social's real
 * `follow`, opens the subscribers (graphql-ws, `messageAdded` with identity's fields), sends
 * messages at a steady rate through the gateways and times every delivery from the moment
 * `sendMessage` was called to the moment the subscriber received it.
 *
 * Scenario 1: every subscriber on one gateway (one messaging instance).
 * Scenario 2: the same subscribers over two gateways, each on its own messaging instance (a
 * user's two connections on different gateways), messages sent through both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { errorCode, GraphQLClient, registerUser, waitUntil, type TestUser } from '@plaza/e2e';
import type { RunningGateway } from '@plaza/gateway';
import { eventLoopDelaySummary, type EventLoopDelay } from './child.js';

type SubscriptionStats = ReturnType<RunningGateway['subscriptions']['stats']>;

const DIR = import.meta.dirname;
const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};

const SETTINGS = {
  /** Users; each has CONNECTIONS_PER_USER subscribers (a phone and a laptop). */
  users: int('BENCH_USERS', 500),
  connectionsPerUser: int('BENCH_CONNECTIONS_PER_USER', 2),
  /** Messages per second, all pairs together. */
  rate: int('BENCH_RATE', 50),
  seconds: int('BENCH_SECONDS', 20),
  /** Seconds of sending at the rate before measuring (its messages are not counted). */
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 5),
  /** Which scenarios run: `one` (one gateway), `two` (two gateways, two messaging instances). */
  scenarios: (process.env.BENCH_SCENARIOS ?? 'one,two').split(',').filter(Boolean),
};

const SUBSCRIPTION = `subscription {
  messageAdded { id body createdAt sender { id displayName avatarUrl } conversation { id unreadCount peer { id username } } }
}`;
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }';
const FOLLOW = 'mutation($id: ID!) { follow(userId: $id) { id } }';

interface Child {
  name: string;
  process: ChildProcess;
  request<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

const children = new Set<Child>();
/** Set when a child died on its own: the run fails rather than measure a broken setup. */
let childFailure: Error | undefined;

/** Node options of the children: BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each there. */
function nodeArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  // BENCH_NODE_ARGS: more options for every child (e.g. --trace-gc, which NODE_OPTIONS refuses).
  const args = ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  // A folder per child: each of its threads (tsx's loader has one) writes a profile of its own.
  if (dir) args.push('--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`);
  return args;
}

/** Starts a child process of this folder and waits for its `ready` message. */
async function startChild<T>(name: string, file: string, env: NodeJS.ProcessEnv): Promise<{ child: Child; ready: T }> {
  const proc = spawn(process.execPath, [...nodeArgs(name), join(DIR, file)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stopping = false;
  const child: Child = {
    name,
    process: proc,
    request: (type) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: { type?: string }) => {
          if (m.type !== type) return;
          proc.off('message', onMessage);
          proc.off('exit', onExit);
          resolve(m as never);
        };
        const onExit = () => {
          proc.off('message', onMessage);
          reject(new Error(`${name} exited while asked for ${type}`));
        };
        proc.on('message', onMessage);
        proc.once('exit', onExit);
        proc.send({ type });
      }),
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        children.delete(child);
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        if (proc.connected) proc.send({ type: 'stop' });
        else proc.kill('SIGTERM');
      }),
  };
  children.add(child);
  proc.once('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) childFailure ??= new Error(`${name} exited on its own (${signal ?? code})`);
  });
  const ready = await new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${name} (${file}) exited with ${code} before it was ready`));
    proc.once('exit', onExit);
    proc.on('message', (m: { type?: string }) => {
      if (m.type !== 'ready') return;
      proc.off('exit', onExit);
      resolve(m as T);
    });
  });
  return { child, ready };
}

/** Stops every child still running (on success, failure, or a signal). */
async function stopChildren(): Promise<void> {
  await Promise.all([...children].reverse().map((c) => c.stop()));
}

/** One consumer group prefix per run: a second messaging instance joins the first's group. */
const KAFKA_GROUP_PREFIX = `plaza-bench-chat-${randomBytes(4).toString('hex')}`;

const baseEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  // Postgres connections per subgraph (the services' default is 5): at 50 messages/s a pool of 4
  // queued sendMessage's transactions behind each other on a loaded machine.
  PG_POOL_MAX: process.env.BENCH_PG_POOL_MAX ?? '10',
  // The benchmark sends far more than a person would.
  MESSAGE_RATE_LIMIT: '1000000',
  KAFKA_GROUP_PREFIX,
});

async function startGatewayProcess(name: string, urls: Record<string, string>) {
  const env = {
    ...baseEnv(),
    TRUST_PROXY: 'true',
    ...Object.fromEntries(Object.entries(urls).map(([service, url]) => [`SUBGRAPH_URL_${service.toUpperCase()}`, url])),
  };
  const { child, ready } = await startChild<{ url: string; wsUrl: string }>(name, 'gateway-process.ts', env);
  return {
    child,
    url: ready.url,
    wsUrl: ready.wsUrl,
    stats: async () => child.request<{ stats: SubscriptionStats; memory: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage }>('stats'),
  };
}
type GatewayProcess = Awaited<ReturnType<typeof startGatewayProcess>>;

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

async function follow(who: TestUser, whom: TestUser): Promise<void> {
  await waitUntil(async () => {
    const res = await who.client.request(FOLLOW, { id: whom.id });
    if (!res.errors) return true;
    if (errorCode(res) === 'NOT_FOUND') return false;
    throw new Error(`follow: ${JSON.stringify(res.errors)}`);
  }, 120_000, 200);
}

async function sendWhenFriends(from: TestUser, to: TestUser): Promise<void> {
  await waitUntil(async () => {
    const res = await from.client.request(SEND, { input: { toUserId: to.id, body: 'hello' } });
    if (!res.errors) return true;
    if (errorCode(res) === 'FORBIDDEN') return false;
    throw new Error(`sendMessage: ${JSON.stringify(res.errors)}`);
  }, 60_000, 100);
}

/**
 * sendMessage with a clientMessageId, retried (the same key: idempotent) when the request fails
 * on the network (a keep-alive socket the server closed as the request went out, say).
 */
async function sendMessage(
  client: GraphQLClient,
  input: { toUserId: string; body: string; clientMessageId: string },
): Promise<{ ok: boolean; retries: number; error?: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await client.request(SEND, { input });
      return res.errors ? { ok: false, retries: attempt, error: JSON.stringify(res.errors) } : { ok: true, retries: attempt };
    } catch (err) {
      if (attempt >= 2) return { ok: false, retries: attempt, error: String(err) };
    }
  }
}

interface Subscriber {
  client: Client;
  user: TestUser;
  gateway: string;
  /** Indexes of the messages this subscriber received. */
  received: Set<number>;
  /** Closed by the server or the network (not by the benchmark), with the close codes. */
  closes: number[];
}

/** A message the benchmark sent: who may receive it and when `sendMessage` was called. */
interface Sent {
  index: number;
  at: number;
  participants: readonly [string, string];
  ok?: boolean;
}

/** What the subscribers saw, over every subscriber of a scenario. */
interface Receipts {
  latencies: number[];
  /** Each delivery's [when its message was sent, latency], for the latency over time. */
  timeline: [number, number][];
  duplicates: number;
  /** Events for a message the subscriber takes no part in (must stay 0). */
  misdelivered: number;
  /** Events that were not a message (errors). */
  errors: number;
}

/** Opens a subscriber and waits until its subscription is live (a query on the socket says so). */
async function openSubscriber(
  wsUrl: string,
  gateway: string,
  user: TestUser,
  onEvent: (subscriber: Subscriber, body: string | undefined) => void,
): Promise<Subscriber> {
  let disposing = false;
  const subscriber: Subscriber = {
    client: undefined as unknown as Client,
    user,
    gateway,
    received: new Set(),
    closes: [],
  };
  subscriber.client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${user.accessToken}` },
    onNonLazyError: (err) => console.error('subscriber connection failed', err),
    on: {
      closed: (event) => {
        if (!disposing) subscriber.closes.push((event as { code?: number }).code ?? 0);
      },
    },
  });
  const dispose = subscriber.client.dispose.bind(subscriber.client);
  subscriber.client.dispose = () => {
    disposing = true;
    return dispose();
  };
  subscriber.client.subscribe<{ messageAdded: { body: string } }>(
    { query: SUBSCRIPTION },
    {
      next: (result) => {
        if (result.data) onEvent(subscriber, result.data.messageAdded.body);
        else {
          onEvent(subscriber, undefined);
          console.error('subscription error', JSON.stringify(result.errors));
        }
      },
      error: (err) => console.error('subscription ended with an error', err),
      complete: () => {},
    },
  );
  await new Promise<void>((resolve, reject) => {
    subscriber.client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: reject, complete: resolve });
  });
  return subscriber;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** How long the open connections are watched before any message is sent, ms. */
const IDLE_MS = 5_000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface ScenarioResult {
  name: string;
  gateways: number;
  messagingInstances: number;
  subscribers: number;
  messagesSent: number;
  sendErrors: number;
  /** Deliveries owed: every connection of both participants, for every message stored. */
  deliveriesExpected: number;
  /** Owed deliveries received (each subscriber's first copy of each message it is owed). */
  deliveriesReceived: number;
  /** Messages stored: sent without error, or received by a subscriber although the send failed. */
  messagesStored: number;
  /** sendMessage calls retried after a network error (with the same clientMessageId). */
  sendRetries: number;
  /** Owed deliveries never received (waited until nothing more arrived). Must be 0. */
  deliveriesMissing: number;
  duplicates: number;
  misdelivered: number;
  subscriptionErrors: number;
  /** Connections the server or network closed during the scenario, by close code. */
  unexpectedCloses: Record<string, number>;
  /** sendMessage's own round trip through the gateway. */
  sendMessageMs: { p50: number; p99: number };
  /** From calling sendMessage to receipt, over every first receipt of every stored message. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Delivery p99 of the messages sent in each 5 s of the run, in order. */
  latencyP99By5s: number[];
  /** Seconds from the last send to the last delivery. */
  drainSeconds: number;
  gatewayRssBytesPerConnection: number[];
  gatewayHeapBytesPerConnection: number[];
  /** Primary results from messaging plus rest fetches (identity), per delivered message. */
  subgraphFetchesPerDelivery: number;
  upstreamEventsPerMessage: number;
  restFetchesPerMessage: number;
  restRunsPerMessage: number;
  /**
   * CPU time per message stored (user + system, ms) from the first send until the last delivery:
   * each gateway, the subgraph processes together, and the benchmark's clients. Unlike latency,
   * it hardly depends on what else the machine runs.
   */
  cpuMsPerMessage: { gateways: number[]; subgraphs: number; clients: number };
  /** Each gateway's CPU with every subscriber connected and no message, % of one core. */
  gatewayIdleCpuPercent: number[];
  /** Events the gateways could not complete (a subgraph unreachable): subscribers closed with 1013. */
  incompleteEvents: number;
  /** The gateways' own count of results handed to subscribers. */
  gatewayDeliveries: number;
  /** How late each process's event loop ran while messages were sent and delivered. */
  eventLoopDelayMs: { gateways: EventLoopDelay[]; subgraphs: EventLoopDelay[]; clients: EventLoopDelay };
  /** The machine's 1-minute load average before and after the scenario (2 cores: 2 is full). */
  loadAverage: { before: number; after: number };
}

/** This process's (the clients') event-loop delay. */
const clientDelay = monitorEventLoopDelay({ resolution: 5 });
clientDelay.enable();

const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user + b.system - a.user - a.system) / 1000;

async function runScenario(
  name: string,
  gateways: GatewayProcess[],
  users: TestUser[],
  pairs: [TestUser, TestUser][],
  subgraphProcesses: Child[],
): Promise<ScenarioResult> {
  const messagingInstances = subgraphProcesses.length;
  const subgraphCpu = () => Promise.all(subgraphProcesses.map((c) => c.request<{ cpu: NodeJS.CpuUsage }>('cpu')));
  const loadBefore = round(loadavg()[0]!, 2);
  const sent = new Map<string, Sent>();
  const receipts: Receipts = { latencies: [], timeline: [], duplicates: 0, misdelivered: 0, errors: 0 };
  let lastReceiptAt = performance.now();
  const onEvent = (subscriber: Subscriber, body: string | undefined) => {
    if (body === undefined) {
      receipts.errors++;
      return;
    }
    const message = sent.get(body);
    if (!message) return;
    lastReceiptAt = performance.now();
    if (!message.participants.includes(subscriber.user.id)) {
      receipts.misdelivered++;
      return;
    }
    if (subscriber.received.has(message.index)) {
      receipts.duplicates++;
      return;
    }
    subscriber.received.add(message.index);
    receipts.latencies.push(lastReceiptAt - message.at);
    receipts.timeline.push([message.at, lastReceiptAt - message.at]);
  };
  const plan: { user: TestUser; gateway: number }[] = [];
  for (const user of users) {
    for (let c = 0; c < SETTINGS.connectionsPerUser; c++) plan.push({ user, gateway: c % gateways.length });
  }
  const open = (p: { user: TestUser; gateway: number }) => openSubscriber(gateways[p.gateway]!.wsUrl, `gateway ${p.gateway + 1}`, p.user, onEvent);

  // Warm-up (first subscription: the upstream connection, the plan), then the memory baseline.
  const warm = await pool(plan.slice(0, 20), 20, open);
  for (const s of warm) await s.client.dispose();
  await new Promise((r) => setTimeout(r, 500));
  const before = await Promise.all(gateways.map((g) => g.stats()));

  console.log(`${name}: opening ${plan.length} subscribers on ${gateways.length} gateway(s)`);
  const subscribers = await pool(plan, 50, open);
  const connected = await Promise.all(gateways.map((g) => g.stats()));
  // What the open connections cost with no message at all (keep-alive pings, revocation checks).
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = await Promise.all(gateways.map((g) => g.stats()));
  const perGateway = gateways.map((_, i) => plan.filter((p) => p.gateway === i).length);

  /** The i-th message: pairs take turns, a pair's two users alternate, gateways rotate. */
  const route = (i: number) => {
    const [x, y] = pairs[i % pairs.length]!;
    const [from, to] = i % 2 ? [x, y] : [y, x];
    return { from, to, client: new GraphQLClient(gateways[i % gateways.length]!.url, from.accessToken, from.client.ip) };
  };

  // Warm-up at the same rate (first sends of each pair, token checks, JIT, the setup's event
  // backlog): its messages are delivered but not measured.
  if (SETTINGS.warmupSeconds > 0) {
    console.log(`${name}: warm-up, ${SETTINGS.rate} messages/s for ${SETTINGS.warmupSeconds} s (not measured)`);
    const warmups: Promise<unknown>[] = [];
    const n = SETTINGS.rate * SETTINGS.warmupSeconds;
    for (let i = 0; i < n; i++) {
      const { to, client } = route(i);
      warmups.push(sendMessage(client, { toUserId: to.id, body: `warm-up ${name} ${i}`, clientMessageId: `warm-up-${i}-${randomBytes(3).toString("hex")}` }));
      await new Promise((r) => setTimeout(r, 1000 / SETTINGS.rate));
    }
    await Promise.all(warmups);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const baseline = await Promise.all(gateways.map((g) => g.stats()));

  console.log(`${name}: sending ${SETTINGS.rate} messages/s for ${SETTINGS.seconds} s`);
  const cpuBefore = { subgraphs: await subgraphCpu(), clients: process.cpuUsage() };
  const delayed = [...gateways.map((g) => g.child), ...subgraphProcesses];
  await Promise.all(delayed.map((c) => c.request('eldReset')));
  clientDelay.reset();
  const total = SETTINGS.rate * SETTINGS.seconds;
  let count = 0;
  let sendErrors = 0;
  let retries = 0;
  /** How long sendMessage itself took (stored, committed and published before it answers). */
  const mutationMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      // Catch up with the schedule (timers drift under load) so the rate holds on average.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * SETTINGS.rate) + 1);
      while (count < due) {
        const i = count++;
        const { from, to, client } = route(i);
        const body = `bench ${name} ${i} ${randomBytes(3).toString('hex')}`;
        const message: Sent = { index: i, at: performance.now(), participants: [from.id, to.id] };
        sent.set(body, message);
        inFlight.push(
          sendMessage(client, { toUserId: to.id, body, clientMessageId: `bench-${i}-${body.slice(-6)}` }).then((outcome) => {
            message.ok = outcome.ok;
            retries += outcome.retries;
            if (outcome.ok) mutationMs.push(performance.now() - message.at);
            else {
              sendErrors++;
              console.error(`sendMessage ${i} failed: ${outcome.error}`);
            }
          }),
        );
      }
      if (count >= total) resolve();
      else setTimeout(tick, 1000 / SETTINGS.rate / 2);
    };
    tick();
  });
  await Promise.all(inFlight);
  const sendsDone = performance.now();

  // Every owed delivery: each connection of both participants, for each stored message.
  const byUser = new Map<string, Subscriber[]>();
  for (const s of subscribers) byUser.set(s.user.id, [...(byUser.get(s.user.id) ?? []), s]);
  const owed: [Subscriber, Sent][] = [];
  for (const message of sent.values()) {
    if (!message.ok) continue;
    for (const id of message.participants) for (const s of byUser.get(id) ?? []) owed.push([s, message]);
  }
  // Wait until all arrived, or nothing arrived for a while: late is not lost.
  const quietMs = int('BENCH_DRAIN_QUIET_SECONDS', 15) * 1000;
  while (receipts.latencies.length < owed.length && performance.now() - Math.max(lastReceiptAt, sendsDone) < quietMs) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const drainSeconds = round(Math.max(0, lastReceiptAt - sendsDone) / 1000, 2);
  const missing = owed.filter(([s, m]) => !s.received.has(m.index));
  const owedReceived = owed.length - missing.length;
  // A send the client saw fail may still have been stored (the failure came after the commit).
  const receivedIndexes = new Set(subscribers.flatMap((s) => [...s.received]));
  const stored = [...sent.values()].filter((m) => m.ok || receivedIndexes.has(m.index)).length;
  if (missing.length > 0) {
    const indexes = missing.map(([, m]) => m.index).sort((a, b) => a - b);
    console.error(`${name}: ${missing.length} owed deliveries missing, messages ${indexes[0]}…${indexes.at(-1)} (median ${indexes[indexes.length >> 1]}) of 0…${total - 1}`);
  }
  for (const [s, m] of missing.slice(0, 10)) {
    console.error(`${name}: missing message ${m.index} for ${s.user.id} on ${s.gateway} (closes: ${s.closes.join(',') || 'none'})`);
  }
  // Before the gateways' stats: those run two full collections, a stall that is the harness's.
  const childDelays = await Promise.all(delayed.map((c) => c.request<{ eld: EventLoopDelay }>('eld')));
  const after = await Promise.all(gateways.map((g) => g.stats()));
  const cpuAfter = { subgraphs: await subgraphCpu(), clients: process.cpuUsage() };
  const eventLoopDelayMs = {
    gateways: childDelays.slice(0, gateways.length).map((d) => d.eld),
    subgraphs: childDelays.slice(gateways.length).map((d) => d.eld),
    clients: eventLoopDelaySummary(clientDelay),
  };
  const unexpectedCloses: Record<string, number> = {};
  for (const s of subscribers) for (const code of s.closes) unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + 1;
  await Promise.all(subscribers.map((s) => s.client.dispose()));

  const sorted = [...receipts.latencies].sort((a, b) => a - b);
  // Delivery p99 per 5 s of sending: a stall shows where it happened.
  const firstSend = Math.min(...[...sent.values()].map((m) => m.at));
  const windows: number[][] = [];
  for (const [at, ms] of receipts.timeline) (windows[Math.floor((at - firstSend) / 5_000)] ??= []).push(ms);
  const p99ByWindow = [...windows].map((w) => (w ? round(percentile([...w].sort((a, b) => a - b), 99)) : 0));
  const sortedMutations = [...mutationMs].sort((a, b) => a - b);
  const sum = (f: (s: SubscriptionStats) => number) => after.reduce((n, a, i) => n + f(a.stats) - f(baseline[i]!.stats), 0);
  const deliveries = sum((s) => s.deliveries);
  const upstreamEvents = sum((s) => s.upstreamEvents);
  const restFetches = sum((s) => s.restFetches);
  const restRuns = sum((s) => s.eventsResolved);
  return {
    name,
    gateways: gateways.length,
    messagingInstances,
    subscribers: subscribers.length,
    messagesSent: total,
    sendErrors,
    deliveriesExpected: owed.length,
    deliveriesReceived: owedReceived,
    messagesStored: stored,
    sendRetries: retries,
    deliveriesMissing: missing.length,
    duplicates: receipts.duplicates,
    misdelivered: receipts.misdelivered,
    subscriptionErrors: receipts.errors,
    unexpectedCloses,
    sendMessageMs: { p50: round(percentile(sortedMutations, 50)), p99: round(percentile(sortedMutations, 99)) },
    latencyP99By5s: p99ByWindow,
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
    },
    drainSeconds,
    gatewayRssBytesPerConnection: gateways.map((_, i) => Math.round((connected[i]!.memory.rss - before[i]!.memory.rss) / perGateway[i]!)),
    gatewayHeapBytesPerConnection: gateways.map((_, i) => Math.round((connected[i]!.memory.heapUsed - before[i]!.memory.heapUsed) / perGateway[i]!)),
    subgraphFetchesPerDelivery: round((upstreamEvents + restFetches) / Math.max(1, deliveries), 3),
    upstreamEventsPerMessage: round(upstreamEvents / Math.max(1, stored), 2),
    restFetchesPerMessage: round(restFetches / Math.max(1, stored), 2),
    restRunsPerMessage: round(restRuns / Math.max(1, stored), 2),
    cpuMsPerMessage: {
      // From after the warm-up, as the subgraphs' and the clients' figures.
      gateways: gateways.map((_, i) => round(cpuMs(baseline[i]!.cpu, after[i]!.cpu) / Math.max(1, stored), 2)),
      subgraphs: round(subgraphProcesses.reduce((n, _, i) => n + cpuMs(cpuBefore.subgraphs[i]!.cpu, cpuAfter.subgraphs[i]!.cpu), 0) / Math.max(1, stored), 2),
      clients: round(cpuMs(cpuBefore.clients, cpuAfter.clients) / Math.max(1, stored), 2),
    },
    gatewayIdleCpuPercent: gateways.map((_, i) => round((cpuMs(connected[i]!.cpu, idle[i]!.cpu) / IDLE_MS) * 100)),
    gatewayDeliveries: deliveries,
    eventLoopDelayMs,
    incompleteEvents: sum((s) => s.incompleteEvents),
    loadAverage: { before: loadBefore, after: round(loadavg()[0]!, 2) },
  };
}

async function main(): Promise<void> {
  console.log(`chat benchmark: ${JSON.stringify(SETTINGS)}`);
  const subgraphs = await startChild<{ urls: Record<string, string> }>('subgraphs', 'subgraphs-process.ts', baseEnv());
  const urls = subgraphs.ready.urls;
  // Users are registered through a gateway of their own: the scenarios' gateways start fresh.
  const setup = await startGatewayProcess('gateway-setup', urls);

  console.log(`registering ${SETTINGS.users} users`);
  const users = await pool(Array.from({ length: SETTINGS.users }), 6, () => registerUser(new GraphQLClient(setup.url), { prefix: 'bench' }));
  const pairs: [TestUser, TestUser][] = [];
  for (let i = 0; i + 1 < users.length; i += 2) pairs.push([users[i]!, users[i + 1]!]);
  console.log(`making ${pairs.length} friend pairs (social's follow, then messaging's projection)`);
  await pool(pairs, 8, async ([a, b]) => {
    await follow(a, b);
    await follow(b, a);
  });
  await pool(pairs, 8, ([a, b]) => sendWhenFriends(a, b));
  await setup.child.stop();

  const results: ScenarioResult[] = [];
  if (SETTINGS.scenarios.includes('one')) {
    const gateway = await startGatewayProcess('gateway-one', urls);
    results.push(await runScenario('one gateway', [gateway], users, pairs, [subgraphs.child]));
    await gateway.child.stop();
  }
  if (SETTINGS.scenarios.includes('two')) {
    const messaging2 = await startChild<{ urls: Record<string, string> }>('messaging-2', 'subgraphs-process.ts', { ...baseEnv(), BENCH_SUBGRAPHS: 'messaging' });
    const gateways = [
      await startGatewayProcess('gateway-two-a', urls),
      await startGatewayProcess('gateway-two-b', { ...urls, messaging: messaging2.ready.urls.messaging! }),
    ];
    results.push(await runScenario('two gateways', gateways, users, pairs, [subgraphs.child, messaging2.child]));
    for (const g of gateways) await g.child.stop();
    await messaging2.child.stop();
  }
  if (childFailure) throw childFailure;

  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const out = { date: new Date().toISOString(), machine, settings: SETTINGS, results };
  writeFileSync(resolve(DIR, process.env.BENCH_OUT ?? 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
  const kib = (bytes: number[]) => bytes.map((b) => (b / 1024).toFixed(1)).join(' / ');
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.subscribers} | ${r.messagesSent} (${SETTINGS.rate}/s), ${r.messagesStored} stored, ${r.sendErrors} failed, ${r.sendRetries} retried | ${r.deliveriesReceived}/${r.deliveriesExpected} (missing ${r.deliveriesMissing}, dup ${r.duplicates}) | ${r.sendMessageMs.p50} / ${r.sendMessageMs.p99} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${kib(r.gatewayRssBytesPerConnection)} | ${kib(r.gatewayHeapBytesPerConnection)} | ${r.subgraphFetchesPerDelivery} | ${r.upstreamEventsPerMessage} + ${r.restFetchesPerMessage} | ${r.cpuMsPerMessage.gateways.join(' / ')} · ${r.cpuMsPerMessage.subgraphs} · ${r.cpuMsPerMessage.clients} | ${r.loadAverage.before} → ${r.loadAverage.after} |`,
  );
  const table = [
    `Chat benchmark, ${out.date}: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; subgraphs in one process, each gateway in its own, clients in this one. Settings: ${JSON.stringify(SETTINGS)}.`,
    '',
    '| scenario | subscribers | messages | deliveries received / owed | sendMessage p50 / p99 ms | delivery p50 ms | delivery p99 ms | max ms | gateway RSS KiB/conn | gateway heap KiB/conn | subgraph fetches / delivery | per message: primary results + rest fetches | CPU ms per message: gateway(s) · subgraphs · clients | 1-min load avg (before → after) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const delay = (d: EventLoopDelay) => `${d.p99} / ${d.max}`;
  const notes = results.map(
    (r) =>
      `- ${r.name}: delivery p90 ${r.latencyMs.p90} ms; delivery p99 per 5 s of sending: ${r.latencyP99By5s.join(', ')} ms; last delivery ${r.drainSeconds} s after the last send answered; gateway CPU with the subscribers connected and no message: ${r.gatewayIdleCpuPercent.join(' / ')} % of a core; ` +
      `event-loop delay p99 / max ms while sending: gateway(s) ${r.eventLoopDelayMs.gateways.map(delay).join(', ')}, subgraphs ${r.eventLoopDelayMs.subgraphs.map(delay).join(', ')}, clients ${delay(r.eventLoopDelayMs.clients)}; ` +
      `closed by the server: ${JSON.stringify(r.unexpectedCloses)}; incomplete events ${r.incompleteEvents}; subscription errors ${r.subscriptionErrors}; misdelivered ${r.misdelivered}; send errors ${r.sendErrors}.`,
  );
  const report = `${table}\n\n${notes.join('\n')}\n`;
  if (!process.env.BENCH_OUT) writeFileSync(join(DIR, 'results.md'), report);
  console.log(`\n${report}`);
}

let exiting = false;
async function exit(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await stopChildren();
  }
  process.exit(code);
}
process.on('SIGINT', () => void exit(130));
process.on('SIGTERM', () => void exit(143));

main().then(
  () => exit(childFailure ? 1 : 0),
  (err: unknown) => {
    console.error(err);
    return exit(1);
  },
);
