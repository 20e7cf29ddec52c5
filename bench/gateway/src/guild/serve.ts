import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { GUILD_SUBGRAPHS, guildSchema, type GuildServiceName } from './subgraphs.js';

/**
 * Serves one of the Guild benchmark's subgraphs (or the monolith) at POST /graphql on 127.0.0.1.
 * Lean on purpose (node:http, graphql-js, parsed documents cached): the subgraphs should cost as
 * little as they can, so the gateway is what the benchmark measures. GET /_requests answers how
 * many GraphQL requests it has served, the harness's subgraph-request counter.
 *
 *   node --import tsx src/guild/serve.ts <accounts|inventory|products|reviews|monolith> <port>
 */

/** Distinct documents kept parsed and validated; the benchmark sends a handful. */
const DOCUMENT_CACHE_LIMIT = 1_000;

function createHandler(schema: GraphQLSchema) {
  const documents = new Map<string, DocumentNode>();
  let served = 0;

  function documentFor(query: string): DocumentNode | { errors: readonly { message: string }[] } {
    const cached = documents.get(query);
    if (cached) return cached;
    const doc = parse(query);
    const errors = validate(schema, doc);
    if (errors.length > 0) return { errors: errors.map((e) => ({ message: e.message })) };
    if (documents.size >= DOCUMENT_CACHE_LIMIT) documents.clear();
    documents.set(query, doc);
    return doc;
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/_requests') {
      send(res, 200, { requests: served });
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      send(res, 200, { status: 'ok' });
      return;
    }
    if (req.method !== 'POST' || path !== '/graphql') {
      send(res, 404, { errors: [{ message: 'not found' }] });
      return;
    }
    served += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        send(res, 400, { errors: [{ message: 'invalid JSON body' }] });
        return;
      }
      if (typeof body.query !== 'string') {
        send(res, 400, { errors: [{ message: 'query must be a string' }] });
        return;
      }
      let doc: ReturnType<typeof documentFor>;
      try {
        doc = documentFor(body.query);
      } catch (err) {
        send(res, 400, { errors: [{ message: err instanceof Error ? err.message : String(err) }] });
        return;
      }
      if ('errors' in doc) {
        send(res, 400, doc);
        return;
      }
      Promise.resolve(
        execute({
          schema,
          document: doc,
          variableValues: (body.variables as Record<string, unknown> | null | undefined) ?? undefined,
          operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
        }),
      ).then(
        (result) => send(res, 200, result),
        (err: unknown) => send(res, 500, { errors: [{ message: err instanceof Error ? err.message : String(err) }] }),
      );
    });
  };
}

function main(): void {
  const [name, portText] = process.argv.slice(2);
  const names: readonly string[] = [...GUILD_SUBGRAPHS, 'monolith'];
  const port = Number(portText);
  if (!name || !names.includes(name) || !Number.isInteger(port) || port <= 0) {
    console.error(`usage: serve.ts <${names.join('|')}> <port>`);
    process.exit(2);
  }
  const server = createServer(createHandler(guildSchema(name as GuildServiceName)));
  // Gateways keep connections alive; Node's 5 s default would close idle ones between rounds.
  server.keepAliveTimeout = 120_000;
  server.listen(port, '127.0.0.1', () => {
    console.log(`guild ${name} listening on http://127.0.0.1:${port}/graphql`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
