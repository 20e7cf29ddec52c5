import { randomBytes } from 'node:crypto';
import { startGateway, loadConfig as gatewayConfig } from '@plaza/gateway';
import { closeAll, type Closer } from '@plaza/common';
import { SUBGRAPHS } from '@plaza/schema';
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
  /** Environment overrides for one subgraph, by name: `{ identity: { LOGIN_MAX_FAILURES_PER_IP: '3' } }`. */
  subgraphEnv?: Record<string, Record<string, string>>;
  gatewayEnv?: Record<string, string>;
}

/**
 * Starts every subgraph of the registry and the gateway in this process on free ports, against
 * the real Postgres, Redis and Kafka, with the checked-in supergraph. One per test file. Kafka
 * consumers get a consumer group of their own (their positions live in Postgres, so two Plazas on
 * one database still apply each event once), so test files never wait on each other's rebalances.
 * If any part fails to start, the parts already started are stopped again.
 */
export async function startPlaza(opts: PlazaOptions = {}): Promise<Plaza> {
  const base = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    PG_POOL_MAX: '3',
    KAFKA_GROUP_PREFIX: `plaza-e2e-${randomBytes(6).toString('hex')}`,
    ...opts.env,
  };
  const started: Closer[] = [];
  try {
    const subgraphUrls: Record<string, string> = {};
    for (const subgraph of SUBGRAPHS) {
      const server = await subgraph.start({ ...base, ...opts.subgraphEnv?.[subgraph.name] });
      started.unshift(server.close);
      subgraphUrls[subgraph.name] = server.url;
    }
    const gateway = await startGateway(
      gatewayConfig({
        ...base,
        HOST: '127.0.0.1',
        TRUST_PROXY: 'true',
        ...Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
        ...opts.gatewayEnv,
      }),
    );
    started.unshift(() => gateway.close());
    return {
      url: gateway.url,
      wsUrl: gateway.wsUrl,
      subgraphUrls,
      client: (token) => new GraphQLClient(gateway.url, token),
      close: () => closeAll(started),
    };
  } catch (err) {
    await closeAll(started).catch(() => {});
    throw err;
  }
}
