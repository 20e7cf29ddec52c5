import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resolvePublicKey } from '@plaza/common';
import { loadConfig, startGateway, type RunningGateway } from '@plaza/gateway';
import { GraphQLClient, registerUser, startPlaza, type Plaza } from '../src/index.js';

/**
 * A gateway started with NODE_ENV=production (and nothing else about Sandbox or introspection
 * configured) in front of the test's subgraphs: the defaults must lock it down.
 */
let plaza: Plaza;
let gateway: RunningGateway;
beforeAll(async () => {
  plaza = await startPlaza();
  // Production requires a configured verification key: the one the test's identity signs with.
  const publicKeyPem = resolvePublicKey({ production: false, home: process.env.PLAZA_HOME ?? `${repoRoot()}/.plaza` });
  gateway = await startGateway(
    loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_PUBLIC_KEY: publicKeyPem,
      LANDING_PAGE: undefined,
      INTROSPECTION: undefined,
      ...Object.fromEntries(Object.entries(plaza.subgraphUrls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
    }),
  );
});
afterAll(async () => {
  await gateway?.close();
  await plaza?.close();
});

describe('a gateway in production', () => {
  it('refuses introspection', async () => {
    const res = await new GraphQLClient(gateway.url).request('{ __schema { types { name } } }');
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    const typeQuery = await new GraphQLClient(gateway.url).request('{ __type(name: "User") { fields { name } } }');
    expect(typeQuery.data ?? null).toBeNull();
  });

  it('serves no landing page (no Sandbox, no explorer) to a browser', async () => {
    for (const path of ['/graphql', '/explorer', '/']) {
      const res = await fetch(new URL(path, gateway.url), { headers: { accept: 'text/html' } });
      expect(res.status).not.toBe(200);
      expect(await res.text()).not.toMatch(/sandbox|graphiql|apollographql|<script/i);
    }
  });

  it('still answers queries', async () => {
    const user = await registerUser(new GraphQLClient(gateway.url));
    const data = await new GraphQLClient(gateway.url, user.accessToken).ok<{ viewer: { id: string } }>('{ viewer { id } }');
    expect(data.viewer.id).toBe(user.id);
  });
});
