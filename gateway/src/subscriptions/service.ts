import { createHash } from 'node:crypto';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLFormattedError, ValidationRule } from 'graphql';
import { ErrorCode, maskError, type Logger, type Redis, type Viewer } from '@plaza/common/core';
import type { GatewayContext } from '../context.js';
import { GraphQLError, getOperationAST, getVariableValues, print, validate } from './graphql-runtime.js';
import { createMemberQueue, type MemberQueue } from './member-queue.js';
import type { PreparedSubscription, SubscriptionPlanner, UpstreamEvent } from './planner.js';
import { createSessionWatch, type CloseConnection } from './session-watch.js';
import type { Upstreams } from './upstream.js';

/** graphql-ws close codes the gateway uses here (clients retry both; see the README). */
const SERVICE_RESTART = 1012;
const TRY_AGAIN_LATER = 1013;

export interface SubscriptionServiceOptions {
  planner: SubscriptionPlanner;
  upstreams: Upstreams;
  /** The revocation denylist's Redis. */
  redis: Redis;
  /** The gateway's query limits (depth, aliases, cost, directives), as for queries. */
  validationRules: readonly ValidationRule[];
  logger: Logger;
  /** How often open connections are checked against the revocation denylist, ms. Default 2,000. */
  revocationCheckMs?: number;
  /** Results one subscriber may have waiting before it counts as too slow. Default 1,000. */
  maxPendingPerSubscriber?: number;
  /** Prepared subscription operations kept. Default 1,000. */
  operationCacheSize?: number;
}

export interface SubscriptionStats {
  /** Signed-in WebSocket connections. */
  connections: number;
  /** Client subscriptions open. */
  subscribers: number;
  /** Shared upstream subscriptions (one per user, operation and variables). */
  groups: number;
  /** Results received from subgraphs' primary subscriptions. */
  upstreamEvents: number;
  /** Events completed (rest plan run and shaped) once for a whole group. */
  eventsResolved: number;
  /** Events whose rest could not reach a subgraph: their subscribers were told to reconnect (1013). */
  incompleteEvents: number;
  /** Results handed to client subscriptions. */
  deliveries: number;
  /** Subgraph requests sent by rest plans. */
  restFetches: number;
  executor: 'plaza' | 'apollo';
}

export interface SubscriptionService {
  /** graphql-ws's `subscribe`: a subscription operation, validated against the API schema. */
  subscribe(args: ExecutionArgs): AsyncGenerator<ExecutionResult> | ExecutionResult;
  /**
   * Registers an acknowledged connection (its context, and how to close its socket): watched
   * for revocation, and closed when its subscriptions' source is lost. The result unregisters.
   */
  watchConnection(context: GatewayContext, close: CloseConnection): () => void;
  /**
   * Resolves once every subscription the connection started before this call is live (its
   * subgraph will deliver every event from then on) or has ended. graphql-ws has no message that
   * says a subscription is live; a query on the same socket that waits for this is ordered after
   * it, which is what makes a client's catch-up gap-free (see the README, "Realtime chat").
   */
  settled(context: GatewayContext): Promise<void>;
  stats(): SubscriptionStats;
  close(): Promise<void>;
}

interface Member {
  context: GatewayContext;
  viewer: Viewer;
  queue: MemberQueue;
}

/** Subscribers of one user running one operation with the same variables: one upstream subscription. */
interface Group {
  key: string;
  prepared: PreparedSubscription;
  variables: Record<string, unknown> | undefined;
  members: Set<Member>;
  stopUpstream: () => void;
  /** Events are completed one after another, so subscribers get them in order. */
  chain: Promise<void>;
  ended: boolean;
  /** Resolves when the upstream subscription is live, or ends without becoming so. */
  whenLive: Promise<void>;
  markLive: () => void;
}

/** An error that says a subgraph could not be reached (down, or no answer in time). */
function isUnavailable(error: GraphQLError | GraphQLFormattedError): boolean {
  return error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE;
}

/** JSON with object keys sorted: equal variables give equal keys. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** A subgraph's errors as the gateway reports any subgraph's: with `serviceName`. */
function fromService(errors: readonly GraphQLFormattedError[], service: string): GraphQLFormattedError[] {
  return errors.map((e) => ({ ...e, extensions: { ...e.extensions, serviceName: service } }));
}

function pick(variables: Record<string, unknown> | undefined, names: readonly string[]): Record<string, unknown> | undefined {
  if (!variables || names.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of names) if (name in variables) out[name] = variables[name];
  return out;
}

/**
 * Federated subscriptions through the gateway. A client's subscription is planned with Apollo's
 * QueryPlanner into a `SubscriptionNode`; its `primary` goes to the owning subgraph over the
 * gateway's shared upstream connection, and each event it yields is completed by the plan's
 * `rest` (fields other subgraphs own) with the subscriber's own authorization, then shaped.
 *
 * Subscribers with the same authorization scope (the same user), operation and variables form a
 * group: one upstream subscription, and per event one `rest` run and one shaped result, handed to
 * every member. Different users never share anything (their answers may differ).
 */
export function createSubscriptionService(opts: SubscriptionServiceOptions): SubscriptionService {
  const log = opts.logger.child({ component: 'subscriptions' });
  const groups = new Map<string, Group>();
  const connections = new Map<GatewayContext, CloseConnection>();
  /** Per connection, subscriptions it started that are not live yet. */
  const pending = new Map<GatewayContext, Set<Promise<void>>>();
  /**
   * A query never waits longer than this for subscriptions to become live, ms. Only a safety net:
   * every upstream subscription becomes live, is refused, or is lost (pong timeout) well before,
   * and each of those ends the wait. Answering earlier would break a client's gap-free catch-up
   * on a slow machine (the subscription not live yet, the catch-up already read), so it is long.
   */
  const settleTimeoutMs = 30_000;
  const prepared = new Map<string, PreparedSubscription>();
  const cacheSize = opts.operationCacheSize ?? 1_000;
  const maxPending = opts.maxPendingPerSubscriber ?? 1_000;
  const sessions = createSessionWatch({ redis: opts.redis, intervalMs: opts.revocationCheckMs ?? 2_000, logger: log });
  const counters = { upstreamEvents: 0, eventsResolved: 0, incompleteEvents: 0, deliveries: 0 };
  let subscribers = 0;

  function mask(errors: readonly (GraphQLError | GraphQLFormattedError)[]): GraphQLError[] {
    return errors.map((e) => {
      const formatted = e instanceof Error && 'toJSON' in e ? e.toJSON() : (e);
      const original = e instanceof GraphQLError ? (e.originalError ?? e) : e;
      const out = maskError(formatted, original, (err) => log.error({ err }, 'unexpected error in a subscription'));
      return new GraphQLError(out.message, { path: out.path, extensions: out.extensions });
    });
  }

  function refuse(errors: readonly (GraphQLError | GraphQLFormattedError)[]): ExecutionResult {
    return { errors: mask(errors) };
  }

  /** The operation's prepared plan (cached by document and operation name) and its cache key. */
  function prepare(document: DocumentNode, operationName: string | undefined): { key: string; entry: PreparedSubscription } {
    const key = createHash('sha256').update(print(document)).update('\0').update(operationName ?? '').digest('base64url');
    let entry = prepared.get(key);
    if (entry) {
      // Most recently used last: the first key is the one to evict.
      prepared.delete(key);
    } else {
      entry = opts.planner.prepare(document, operationName);
    }
    prepared.set(key, entry);
    const oldest = prepared.keys().next();
    if (prepared.size > cacheSize && !oldest.done) prepared.delete(oldest.value);
    return { key, entry };
  }

  /** Closes a member's socket (it reconnects and catches up); false when it is not registered. */
  function closeSocket(member: Member, code: number, reason: string): boolean {
    const close = connections.get(member.context);
    if (!close) return false;
    close(code, reason);
    return true;
  }

  function endGroup(group: Group): void {
    if (group.ended) return;
    group.ended = true;
    group.markLive();
    if (groups.get(group.key) === group) groups.delete(group.key);
    group.stopUpstream();
    for (const member of group.members) member.queue.end();
  }

  /** The member whose credentials complete an event: the one whose token lives longest. */
  function representative(group: Group): Member | undefined {
    let best: Member | undefined;
    for (const m of group.members) if (!best || m.viewer.expiresAt > best.viewer.expiresAt) best = m;
    return best;
  }

  async function resolveEvent(group: Group, event: UpstreamEvent): Promise<void> {
    const rep = representative(group);
    if (!rep || group.ended) return;
    let result: ExecutionResult;
    if (!event.data) {
      // Nothing to complete: the subgraph refused the subscription (FORBIDDEN, UNAUTHENTICATED…).
      result = refuse(fromService(event.errors?.length ? event.errors : [{ message: 'The subscription returned no data.' }], group.prepared.service));
    } else {
      const resolved = await group.prepared.resolve(event, group.variables, {
        authorization: rep.context.authorization,
        clientIp: rep.context.clientIp,
      });
      counters.eventsResolved++;
      if (resolved.data == null && resolved.errors?.some(isUnavailable)) {
        // A subgraph of the rest could not be reached: the event has no data, so the subscribers
        // could not tell which message they missed. Like a lost source, they reconnect and catch up.
        counters.incompleteEvents++;
        log.warn({ service: group.prepared.service, subscribers: group.members.size }, 'subscriptions: could not complete an event; subscribers reconnect');
        const errorResult = { errors: mask(resolved.errors) };
        for (const member of [...group.members]) {
          if (!closeSocket(member, TRY_AGAIN_LATER, 'Could not complete an event; reconnect and catch up')) member.queue.push(errorResult);
        }
        return;
      }
      result = resolved.errors?.length ? { data: resolved.data ?? null, errors: mask(resolved.errors) } : { data: resolved.data ?? null };
    }
    for (const member of group.members) {
      member.queue.push(result);
      counters.deliveries++;
    }
  }

  function startGroup(key: string, entry: PreparedSubscription, variables: Record<string, unknown> | undefined, first: Member): Group {
    let markLive = () => {};
    const whenLive = new Promise<void>((resolve) => {
      markLive = resolve;
    });
    const group: Group = {
      key,
      prepared: entry,
      variables,
      members: new Set(),
      stopUpstream: () => {},
      chain: Promise.resolve(),
      ended: false,
      whenLive,
      markLive,
    };
    const then = (step: () => Promise<void> | void) => {
      group.chain = group.chain.then(step).catch((err: unknown) => {
        log.error({ err }, 'subscriptions: completing an event failed');
        for (const member of group.members) member.queue.push(refuse([new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })]));
      });
    };
    group.stopUpstream = opts.upstreams.subscribe(
      entry.service,
      {
        query: entry.query,
        operationName: entry.operationName,
        variables: pick(variables, entry.variableUsages),
        authorization: first.context.authorization,
        clientIp: first.context.clientIp,
      },
      {
        live: () => group.markLive(),
        next: (event) => {
          // A result before the announcement (a refusal) also settles waiting queries.
          group.markLive();
          counters.upstreamEvents++;
          then(() => resolveEvent(group, event));
        },
        refused: (errors) => {
          then(() => {
            const result = refuse(fromService(errors, entry.service));
            for (const member of group.members) member.queue.push(result);
            endGroup(group);
          });
        },
        complete: () => then(() => endGroup(group)),
        lost: (reason) => {
          then(() => {
            log.warn({ service: entry.service, reason, subscribers: group.members.size }, 'subscriptions: upstream lost; subscribers reconnect');
            for (const member of group.members) {
              if (!closeSocket(member, SERVICE_RESTART, 'Subscription source restarted; reconnect and catch up')) {
                member.queue.push(refuse([new GraphQLError(`The ${entry.service} service is unavailable; try again.`, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } })]));
              }
            }
            endGroup(group);
          });
        },
      },
    );
    return group;
  }

  return {
    subscribe(args) {
      const context = args.contextValue as GatewayContext | undefined;
      const viewer = context?.viewer;
      if (!context || !viewer) {
        return refuse([new GraphQLError('Sign in to do this.', { extensions: { code: ErrorCode.UNAUTHENTICATED } })]);
      }
      const limitErrors = validate(args.schema, args.document, opts.validationRules);
      if (limitErrors.length > 0) return { errors: limitErrors };
      const definition = getOperationAST(args.document, args.operationName);
      if (!definition) return refuse([new GraphQLError('Unable to identify operation.')]);
      const rawVariables = (args.variableValues ?? undefined);
      const coerced = getVariableValues(args.schema, definition.variableDefinitions ?? [], rawVariables ?? {});
      if (coerced.errors) return { errors: coerced.errors };
      let operation: { key: string; entry: PreparedSubscription };
      try {
        operation = prepare(args.document, args.operationName ?? undefined);
      } catch (err) {
        return refuse([err instanceof GraphQLError ? err : new GraphQLError(err instanceof Error ? err.message : String(err))]);
      }

      const member: Member = {
        context,
        viewer,
        queue: createMemberQueue(maxPending, () => {
          log.warn({ userId: viewer.userId }, 'subscriptions: subscriber too slow; closing its connection');
          closeSocket(member, TRY_AGAIN_LATER, 'Too slow to follow the subscription; reconnect and catch up');
        }),
      };
      // The authorization scope is the user: their connections share, other users never do.
      const key = `${viewer.userId}\0${operation.key}\0${stableJson(rawVariables ?? {})}`;
      let group = groups.get(key);
      if (!group || group.ended) {
        group = startGroup(key, operation.entry, rawVariables, member);
        groups.set(key, group);
      }
      const joined = group;
      joined.members.add(member);
      let waiting = pending.get(context);
      if (!waiting) {
        waiting = new Set();
        pending.set(context, waiting);
      }
      const live = joined.whenLive;
      waiting.add(live);
      void live.then(() => {
        waiting.delete(live);
        if (waiting.size === 0 && pending.get(context) === waiting) pending.delete(context);
      });
      subscribers++;
      member.queue.onEnd(() => {
        subscribers--;
        joined.members.delete(member);
        if (joined.members.size === 0) endGroup(joined);
      });
      return member.queue.iterator;
    },

    watchConnection(context, close) {
      connections.set(context, close);
      const unwatch = context.viewer ? sessions.watch(context.viewer, close) : () => {};
      return () => {
        connections.delete(context);
        pending.delete(context);
        unwatch();
      };
    },

    async settled(context) {
      // Subscribe messages this connection sent earlier may still be on their way to subscribe().
      await new Promise<void>((resolve) => setImmediate(resolve));
      const waiting = pending.get(context);
      if (!waiting || waiting.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, settleTimeoutMs);
      });
      await Promise.race([Promise.all(waiting), timeout]);
      clearTimeout(timer);
    },

    stats: () => ({
      connections: connections.size,
      subscribers,
      groups: groups.size,
      ...counters,
      restFetches: opts.planner.fetches(),
      executor: opts.planner.executor,
    }),

    async close() {
      sessions.stop();
      for (const group of [...groups.values()]) endGroup(group);
      connections.clear();
      await opts.upstreams.close();
    },
  };
}
