import type { Logger } from './logger.js';

export type Closer = () => Promise<void>;

/**
 * Runs a service's main(): it wires everything and returns how to stop. SIGINT/SIGTERM stop it
 * gracefully (the closer drains HTTP, stops consumers, closes pools); a start-up failure is logged
 * and exits 1, never as a clean exit.
 */
export function runMain(logger: Logger, main: () => Promise<Closer>): void {
  main().then(
    (close) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => {
          logger.error('shutdown took over 15 s; exiting');
          process.exit(1);
        }, 15_000);
        force.unref();
        close().then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'error during shutdown');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (err: unknown) => {
      logger.fatal({ err }, 'failed to start');
      process.exit(1);
    },
  );
}

/** Runs closers in order, each even if an earlier one failed; rethrows the first failure. */
export async function closeAll(closers: readonly Closer[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      failures.push(err);
    }
  }
  const [first] = failures;
  if (first !== undefined) throw first instanceof Error ? first : new Error('closing failed', { cause: first });
}
