import { createLogger, runMain } from '@plaza/common';
import { loadConfig } from './environment.js';
import { startContent } from './service.js';

const logger = createLogger('content');
runMain(logger, async () => {
  const server = await startContent(loadConfig());
  return server.close;
});
