import { STATUS_CODES } from 'node:http';
import type { GraphQLErrorExtensions, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from './graphql-runtime.js';
import { Pool } from 'undici';
import { CLIENT_IP_HEADER, ErrorCode } from '@plaza/common/core';

/** What the executor forwards from the client to every subgraph. */
export interface ForwardedHeaders {
  /** The client's Authorization header (subgraphs verify it themselves). */
  authorization: string | undefined;
  clientIp: string | undefined;
}

export interface SubgraphRequest {
  service: string;
  /** The JSON request body: `{"query":…,"variables":…,"operationName":…}`. */
  body: string;
  /** Only query fetches may share an in-flight answer; a mutation always goes out on its own. */
  kind: 'query' | 'mutation' | 'subscription';
  headers: ForwardedHeaders;
}

/** A subgraph's GraphQL answer. Fresh per caller: the executor merges into it. */
export interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/**
 * Sends one subgraph request. Throws a GraphQLError when there is no GraphQL answer: the
 * subgraph's HTTP error (as @apollo/gateway's RemoteGraphQLDataSource reports it), or
 * SERVICE_UNAVAILABLE when it cannot be reached, times out or answers something that is not JSON.
 */
export interface SubgraphTransport {
  send(request: SubgraphRequest): Promise<SubgraphResponse>;
  close(): Promise<void>;
  stats(): TransportStats;
}

export interface TransportStats {
  /** HTTP requests sent to subgraphs. */
  sent: number;
  /** Requests answered by joining an identical one already in flight. */
  shared: number;
}

export interface HttpTransportOptions {
  /** Subgraph name → URL. */
  urls: ReadonlyMap<string, string>;
  /** Per fetch: time to the response headers, and between body chunks, ms. */
  timeoutMs: number;
  /** Keep-alive connections per subgraph at most. */
  connections?: number;
  /** Share identical in-flight query fetches (same subgraph, body and Authorization). */
  dedupe?: boolean;
}

/** The raw answer, shared between callers of a de-duplicated fetch; each caller parses its own copy. */
interface RawAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

interface Endpoint {
  name: string;
  url: string;
  path: string;
  pool: Pool;
}

/**
 * Subgraph fetches over one undici `Pool` (keep-alive) per subgraph: no WHATWG Request/Headers
 * objects, the body is built by the caller once.
 */
export function createHttpTransport(options: HttpTransportOptions): SubgraphTransport {
  const endpoints = new Map<string, Endpoint>();
  for (const [name, url] of options.urls) {
    const parsed = new URL(url);
    endpoints.set(name, {
      name,
      url,
      path: parsed.pathname + parsed.search,
      pool: new Pool(parsed.origin, {
        connections: options.connections ?? 128,
        keepAliveTimeout: 30_000,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      }),
    });
  }
  const inFlight = new Map<string, Promise<RawAnswer>>();
  const stats: TransportStats = { sent: 0, shared: 0 };

  async function fetchRaw(endpoint: Endpoint, request: SubgraphRequest): Promise<RawAnswer> {
    stats.sent++;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    if (request.headers.clientIp) headers[CLIENT_IP_HEADER] = request.headers.clientIp;
    const res = await endpoint.pool.request({ path: endpoint.path, method: 'POST', headers, body: request.body });
    const text = await res.body.text();
    const contentType = res.headers['content-type'];
    return { status: res.statusCode, contentType: Array.isArray(contentType) ? contentType[0] : contentType, text };
  }

  function parseAnswer(endpoint: Endpoint, raw: RawAnswer): SubgraphResponse {
    const json = raw.contentType !== undefined && (raw.contentType.startsWith('application/json') || raw.contentType.startsWith('application/graphql-response+json'));
    const body: unknown = json ? JSON.parse(raw.text) : raw.text;
    if (raw.status < 200 || raw.status > 299) {
      // RemoteGraphQLDataSource.errorFromResponse, field for field.
      const statusText = STATUS_CODES[raw.status] ?? '';
      const extensions: GraphQLErrorExtensions = { response: { url: endpoint.url, status: raw.status, statusText, body } };
      if (raw.status === 401) extensions.code = 'UNAUTHENTICATED';
      else if (raw.status === 403) extensions.code = 'FORBIDDEN';
      throw new GraphQLError(`${raw.status}: ${statusText}`, { extensions });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    }
    return body;
  }

  return {
    async send(request) {
      const endpoint = endpoints.get(request.service);
      if (!endpoint) throw new Error(`Couldn't find service with name "${request.service}"`);
      try {
        if (!options.dedupe || request.kind !== 'query') return parseAnswer(endpoint, await fetchRaw(endpoint, request));
        const key = `${request.service}\0${request.headers.authorization ?? ''}\0${request.body}`;
        let pending = inFlight.get(key);
        if (pending) {
          stats.shared++;
        } else {
          pending = fetchRaw(endpoint, request);
          inFlight.set(key, pending);
          const forget = () => {
            inFlight.delete(key);
          };
          pending.then(forget, forget);
        }
        return parseAnswer(endpoint, await pending);
      } catch (err) {
        if (err instanceof GraphQLError) throw err;
        // As PlazaDataSource: unreachable, timed out or not JSON fails only this subgraph's
        // fields, naming it (never its address).
        // (Built here, not with @plaza/common's `errors`, so that it is of Apollo Server's graphql-js.)
        throw new GraphQLError(`The ${request.service} service is unavailable; try again.`, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } });
      }
    },
    stats: () => ({ ...stats }),
    async close() {
      await Promise.all([...endpoints.values()].map((e) => e.pool.close()));
    },
  };
}
