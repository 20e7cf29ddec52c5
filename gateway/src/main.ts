import cluster from 'node:cluster';
import { createLogger, runMain } from '@plaza/common/core';
import { startWorkers } from './cluster.js';
import { loadConfig } from './environment.js';
import { startGateway } from './server.js';

const logger = createLogger('gateway');
runMain(logger, async () => {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) return startWorkers(config.workers, logger);
  const gateway = await startGateway(config);
  return () => gateway.close();
});
