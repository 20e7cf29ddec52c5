import { appendFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Logger } from '@plaza/common/core';
import type { GatewayContext } from './context.js';
import { PlazaDataSource } from './data-source.js';
import type { GatewayConfig } from './environment.js';
import { createDifferentialRunner, recordFetch, type RecordedFetch } from './executor/differential.js';
import { createPlazaGateway, type PlazaGateway } from './executor/gateway.js';
import { createSubgraphFetcher } from './subgraph-fetch.js';

/** Apollo's data source for the differential mode: each answer (or failure) is also recorded. */
class RecordingDataSource extends PlazaDataSource {
  constructor(
    name: string,
    config: ConstructorParameters<typeof PlazaDataSource>[1],
    private readonly record: (fetch: RecordedFetch) => void,
  ) {
    super(name, config);
  }

  override process(options: Parameters<PlazaDataSource['process']>[0]) {
    return recordFetch(this.subgraphName, options.request, () => super.process(options), this.record);
  }
}

export function isPlazaGateway(gateway: GatewayInterface): gateway is PlazaGateway {
  return !(gateway instanceof ApolloGateway) && 'bundle' in gateway;
}

/**
 * The gateway Apollo Server runs, by GATEWAY_EXECUTOR: stock @apollo/gateway, Plaza's executor,
 * or both compared (differential).
 */
export function createGatewayFor(
  config: GatewayConfig,
  supergraphSdl: string,
  logger: Logger,
  subgraphs: Map<string, string>,
  resolveUrl: (name: string, url: string | undefined) => string,
): GatewayInterface {
  const fetcher = createSubgraphFetcher(config.subgraphTimeoutMs);
  if (config.executor.kind === 'apollo') {
    return new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ name, url }) => new PlazaDataSource(name, { url: resolveUrl(name, url), fetcher }),
    });
  }
  const differential = config.executor.kind === 'differential';
  const report = config.executor.differentialReport;
  return createPlazaGateway({
    supergraphSdl,
    subgraphUrl: resolveUrl,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    // Replay needs each fetch answered on its own.
    dedupeSubgraphFetches: config.executor.subgraphDedup && !differential,
    coalesceFetches: config.executor.coalesceFetches,
    dedupeInbound: config.executor.inboundDedup && !differential,
    typeConditionedFetching: config.executor.typeConditionedFetching,
    forwardedHeaders: (context) => {
      const c = context as Partial<GatewayContext>;
      return { authorization: c.authorization, clientIp: c.clientIp };
    },
    runner: differential
      ? (defaults) =>
          createDifferentialRunner(defaults, subgraphs, {
            createDataSource: (name, url, record) => new RecordingDataSource(name, { url, fetcher }, record),
            onMismatch: (mismatch) => {
              logger.error({ mismatch }, 'differential: Plaza and Apollo executors disagree');
              if (report) appendFileSync(report, `${JSON.stringify(mismatch)}\n`);
            },
          })
      : undefined,
  });
}
