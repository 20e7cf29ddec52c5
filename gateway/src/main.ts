import { createLogger, runMain } from '@plaza/common';
import { loadConfig } from './environment.js';
import { startGateway } from './server.js';

const logger = createLogger('gateway');
runMain(logger, async () => {
  const gateway = await startGateway(loadConfig());
  return gateway.close;
});
