import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { createLogger, runMain } from '@plaza/common/core';
import { startWorkers } from './cluster.js';
import { loadConfig } from './environment.js';
import { startGateway } from './server.js';

const logger = createLogger('gateway');
runMain(logger, async () => {
  const config = loadConfig();
  // Read by V8 at every major collection, so setting it now (before the first request) holds.
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  if (config.workers > 1 && cluster.isPrimary) return startWorkers(config.workers, logger);
  const gateway = await startGateway(config);
  return () => gateway.close();
});
