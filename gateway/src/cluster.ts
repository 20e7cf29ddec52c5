import cluster, { type Worker } from 'node:cluster';
import type { Closer, Logger } from '@plaza/common/core';

/**
 * The primary of GATEWAY_WORKERS > 1: forks that many workers, each a whole gateway sharing the
 * port (node:cluster hands out connections round-robin), replaces a worker that dies unexpectedly
 * (at most once per second, so a worker that cannot start does not spin), and stops them all on
 * shutdown. Resolves once every worker listens.
 */
export async function startWorkers(count: number, logger: Logger): Promise<Closer> {
  let stopping = false;
  let lastRestart = 0;
  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      worker.once('listening', () => resolve(worker));
      worker.once('exit', (code) => reject(new Error(`gateway worker exited with ${code} before listening`)));
    });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'gateway worker died; starting another');
    const wait = Math.max(0, lastRestart + 1_000 - Date.now());
    lastRestart = Date.now() + wait;
    setTimeout(() => {
      fork().catch((err: unknown) => logger.error({ err }, 'gateway worker failed to start'));
    }, wait);
  });
  await Promise.all(Array.from({ length: count }, fork));
  logger.info({ workers: count }, 'gateway workers listening');
  return async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            // Workers run their own graceful shutdown on SIGTERM (drain, close pools).
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };
}
