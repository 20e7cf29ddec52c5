import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { Kind, OperationTypeNode, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { createLru } from './executor/operation-cache.js';

/** What a request that runs shares with identical requests that arrived while it ran. */
interface SharedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** `express.json`'s `verify` keeps the raw body here, the key of identical requests. */
export interface RawBodyRequest extends IncomingMessage {
  rawBody?: Buffer;
}

/** Request headers that can change an answer; requests share only when all of them are equal. */
const KEY_HEADERS = ['authorization', 'accept', 'origin', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name'] as const;

export interface InboundDedupStats {
  /** Requests that ran (and were shared when identical ones came in meanwhile). */
  ran: number;
  /** Requests answered with the response of an identical request in flight. */
  shared: number;
}

/**
 * Inbound de-duplication at the HTTP layer (GATEWAY_INBOUND_DEDUP, off by default): while a POST
 * of a query is in flight, identical POSTs (same raw body, so the same document, operation and
 * variables, and the same Authorization, Accept, Origin and content type) wait for it and get its
 * status, headers and bytes. They skip the GraphQL pipeline and the serialization of the answer,
 * which are most of what an identical request costs. Mutations and subscriptions never share;
 * neither does an answer streamed in parts (`@defer`): those requests then run on their own.
 *
 * A request that comes in after the one in flight has answered runs again: this is not a cache.
 */
export function inboundDedup(options: { documentCacheSize?: number } = {}): { middleware: RequestHandler; stats(): InboundDedupStats } {
  const inFlight = new Map<string, Promise<SharedResponse | null>>();
  // Whether a document's operation (by name) is a query: parsed once per distinct document.
  const kinds = createLru<boolean>(options.documentCacheSize ?? 1_000);
  const stats: InboundDedupStats = { ran: 0, shared: 0 };

  function isQuery(query: string, operationName: string | undefined): boolean {
    const cacheKey = `${operationName ?? ''}\0${query}`;
    let known = kinds.get(cacheKey);
    if (known === undefined) {
      let document: DocumentNode | undefined;
      try {
        document = parse(query);
      } catch {
        document = undefined;
      }
      const operations = document?.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION) ?? [];
      const chosen = operationName ? operations.find((d) => d.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
      // Invalid documents run on their own and get their own errors.
      known = chosen?.operation === OperationTypeNode.QUERY;
      kinds.set(cacheKey, known);
    }
    return known;
  }

  function keyOf(req: Request & RawBodyRequest): string | undefined {
    if (req.method !== 'POST' || !req.rawBody) return undefined;
    const body = req.body as { query?: unknown; operationName?: unknown } | undefined;
    if (typeof body?.query !== 'string') return undefined;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    if (!isQuery(body.query, operationName)) return undefined;
    let key = `${req.originalUrl}\0`;
    for (const name of KEY_HEADERS) {
      const value = req.headers[name];
      key += `${Array.isArray(value) ? value.join(',') : (value ?? '')}\0`;
    }
    return key + req.rawBody.toString('latin1');
  }

  /** Records what the response that runs sends; resolves null if it streams or never completes. */
  function capture(res: ServerResponse): Promise<SharedResponse | null> {
    return new Promise((resolve) => {
      let streamed = false;
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.write = ((...args: unknown[]) => {
        streamed = true;
        return write(...args);
      }) as ServerResponse['write'];
      res.end = ((...args: unknown[]) => {
        const [chunk, encoding] = args;
        if (!streamed && res.statusCode === 200) {
          const body =
            chunk === undefined || typeof chunk === 'function'
              ? Buffer.alloc(0)
              : Buffer.isBuffer(chunk)
                ? chunk
                : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
          resolve({ status: res.statusCode, headers: res.getHeaders(), body });
        } else {
          resolve(null);
        }
        return end(...args);
      }) as ServerResponse['end'];
      res.once('close', () => resolve(null));
    });
  }

  const middleware: RequestHandler = (req, res, next) => {
    const key = keyOf(req as Request & RawBodyRequest);
    if (key === undefined) {
      next();
      return;
    }
    const running = inFlight.get(key);
    if (!running) {
      stats.ran++;
      const shared = capture(res);
      inFlight.set(key, shared);
      const forget = () => {
        inFlight.delete(key);
      };
      void shared.then(forget, forget);
      next();
      return;
    }
    void running.then((answer) => {
      if (!answer) {
        // The request in flight streamed, failed or was cut off: this one runs itself.
        stats.ran++;
        next();
        return;
      }
      stats.shared++;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  };

  return { middleware, stats: () => ({ ...stats }) };
}
