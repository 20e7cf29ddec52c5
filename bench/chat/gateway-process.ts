/**
 * A child process of the chat benchmark: one gateway (its own process, so its memory is its
 * own), configured from the environment. Over IPC it answers `stats` with the subscription
 * figures, its memory after a full GC (it runs with --expose-gc) and its CPU time, and stops on `stop` or when
 * the parent goes away.
 */
import { loadConfig, startGateway } from '@plaza/gateway';
import { serveParent } from './child.js';

const gateway = await startGateway(loadConfig(process.env));
const gc = (globalThis as { gc?: () => void }).gc;
serveParent(
  {
    stats: () => {
      // Twice: the first collection's finalizers may free more.
      gc?.();
      gc?.();
      return { stats: gateway.subscriptions.stats(), memory: process.memoryUsage(), cpu: process.cpuUsage() };
    },
  },
  () => gateway.close(),
);
process.send?.({ type: 'ready', url: gateway.url, wsUrl: gateway.wsUrl });
