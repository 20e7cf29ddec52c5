import { startContent, loadConfig as contentConfig } from '@plaza/content';
import { startGateway, loadConfig as gatewayConfig } from '@plaza/gateway';
import { startIdentity, loadConfig as identityConfig } from '@plaza/identity';
import { closeAll } from '@plaza/common';
import { GraphQLClient } from './client.js';

export interface Plaza {
  /** http://127.0.0.1:<port>/graphql of the gateway */
  url: string;
  wsUrl: string;
  subgraphUrls: Record<string, string>;
  /** A client through the gateway, anonymous or with a bearer token. */
  client(token?: string): GraphQLClient;
  close(): Promise<void>;
}

export interface PlazaOptions {
  /** Environment overrides for every service (on top of process.env). */
  env?: Record<string, string>;
  identityEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

/**
 * Starts every subgraph and the gateway in this process on free ports, against the real
 * Postgres, Redis and Kafka, with the checked-in supergraph. One per test file.
 */
export async function startPlaza(opts: PlazaOptions = {}): Promise<Plaza> {
  const base = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', PORT: '0', PG_POOL_MAX: '3', ...opts.env };
  const identity = await startIdentity(identityConfig({ ...base, ...opts.identityEnv }));
  const content = await startContent(contentConfig(base));
  const gateway = await startGateway(
    gatewayConfig({
      ...base,
      HOST: '127.0.0.1',
      TRUST_PROXY: 'true',
      SUBGRAPH_URL_IDENTITY: identity.url,
      SUBGRAPH_URL_CONTENT: content.url,
      ...opts.gatewayEnv,
    }),
  );
  return {
    url: gateway.url,
    wsUrl: gateway.wsUrl,
    subgraphUrls: { identity: identity.url, content: content.url },
    client: (token) => new GraphQLClient(gateway.url, token),
    close: () => closeAll([gateway.close, content.close, identity.close]),
  };
}
