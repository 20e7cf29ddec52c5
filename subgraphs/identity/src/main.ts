import { createLogger, runMain } from '@plaza/common';
import { loadConfig } from './environment.js';
import { startIdentity } from './service.js';

const logger = createLogger('identity');
runMain(logger, async () => {
  const server = await startIdentity(loadConfig());
  return server.close;
});
