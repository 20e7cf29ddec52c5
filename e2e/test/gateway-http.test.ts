import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, loadConfig } from '@plaza/gateway';
import { errorCode, GraphQLClient, registerUser, startPlaza, type Plaza } from '../src/index.js';

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let plaza: Plaza;
let origin: string;
beforeAll(async () => {
  plaza = await startPlaza({ gatewayEnv: { MAX_DEPTH: '6', MAX_ALIASES: '5', MAX_TOKENS: '400', BODY_LIMIT_BYTES: '20000' } });
  origin = new URL(plaza.url).origin;
});
afterAll(async () => {
  await plaza?.close();
});

describe('gateway over HTTP', () => {
  it('answers /healthz, and /readyz once every subgraph answers', async () => {
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', subgraphs: { identity: true, content: true } });
  });

  it('serves Apollo Sandbox to a browser in development', async () => {
    const res = await fetch(plaza.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/sandbox/i);
  });

  it('allows introspection in development', async () => {
    const data = await plaza.client().ok<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(data.__schema.queryType.name).toBe('Query');
  });

  it("refuses another site's GET query without a CSRF preflight header", async () => {
    // What a browser sends for a cross-site <img>/<script>/no-cors GET.
    const crossSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' };
    const res = await fetch(`${plaza.url}?query=${encodeURIComponent('{ viewer { id } }')}`, { headers: crossSite });
    expect(res.status).toBe(400);
    const ok = await fetch(`${plaza.url}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { ...crossSite, 'apollo-require-preflight': 'true' },
    });
    expect(ok.status).toBe(200);
  });

  it('runs a GET query from a client that is not a browser page of another site', async () => {
    const res = await fetch(`${plaza.url}?query=${encodeURIComponent('{ viewer { id } }')}`, { headers: { accept: 'application/graphql-response+json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: null } });
  });

  it('refuses a POST a browser could send cross-site without a preflight', async () => {
    const res = await fetch(plaza.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ viewer { id } }"}' });
    expect(res.status).toBe(400);
  });

  it('joins fields of several subgraphs in one query', async () => {
    const user = await registerUser(plaza.client());
    const data = await user.client.ok<{ viewer: { id: string; username: string; postCount: number } }>('{ viewer { id username postCount } }');
    expect(data.viewer).toEqual({ id: user.id, username: user.username, postCount: 0 });
  });

  it('refuses a query deeper than the limit', async () => {
    const deep = '{ viewer { posts { edges { node { author { posts { edges { node { id } } } } } } } } }';
    const res = await plaza.client().request(deep);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/depth limit of 6/i);
    expect(res.data ?? null).toBeNull();
  });

  it('refuses more aliases than the limit', async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const res = await plaza.client().request(`{ ${aliases} }`);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/aliases limit of 5/i);
  });

  it('refuses a document with more tokens than the limit', async () => {
    const fields = Array.from({ length: 500 }, () => '__typename').join(' ');
    const res = await plaza.client().request(`{ ${fields} }`);
    expect(errorCode(res)).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/400 tokens/i);
  });

  it('refuses a body over the size limit with 413 and a JSON error', async () => {
    const res = await fetch(plaza.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }', variables: { pad: 'x'.repeat(30_000) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toMatch(/exceeds/);
  });

  it('answers a malformed query with a parse error, not an internal one', async () => {
    const res = await plaza.client().request('{ viewer { id ');
    expect(errorCode(res)).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('reports a dead subgraph on /readyz and still answers what the others own', async () => {
    const gateway = await startGateway(
      loadConfig({
        ...process.env,
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        SUBGRAPH_URL_IDENTITY: plaza.subgraphUrls.identity!,
        SUBGRAPH_URL_CONTENT: `http://127.0.0.1:${await freePort()}/graphql`,
      }),
    );
    try {
      const ready = await fetch(gateway.url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not ready', subgraphs: { identity: true, content: false } });
      const user = await registerUser(new GraphQLClient(gateway.url));
      // post is nullable, so content's failure nulls only that field.
      const res = await new GraphQLClient(gateway.url, user.accessToken).request<{ viewer: { id: string } | null; post: null }>(
        '{ viewer { id } post(id: "00000000-0000-7000-8000-000000000000") { id } }',
      );
      expect(res.data).toEqual({ viewer: { id: user.id }, post: null });
      expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
      expect(res.errors?.[0]?.message).toMatch(/content service is unavailable/);
    } finally {
      await gateway.close();
    }
  });
});
