import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay, ms: p50, p99 and the largest. */
export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export function eventLoopDelaySummary(h: IntervalHistogram): EventLoopDelay {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/**
 * What the chat benchmark's child processes share: they tell the parent they are ready over IPC,
 * answer its requests, and stop on `stop`, on SIGTERM/SIGINT, or when the parent goes away (its
 * IPC channel closes: killed, crashed), so no process outlives a run.
 */
export function serveParent(handlers: Record<string, () => unknown>, close: () => Promise<void>): void {
  // How late this process's event loop ran, between the parent's `eldReset` and `eld`: a
  // delivery can be no faster than the slowest loop it passes through.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // BENCH_WINDOW_PROF=<dir>: a V8 CPU profile of exactly that window (`<dir>/<pid>.cpuprofile`).
  const profileDir = process.env.BENCH_WINDOW_PROF;
  const session = profileDir ? new Session() : undefined;
  session?.connect();
  const builtIn: Record<string, () => unknown> = {
    eldReset: () => {
      delay.reset();
      session?.post('Profiler.enable', () => session.post('Profiler.start'));
      return {};
    },
    eld: () => {
      session?.post('Profiler.stop', (err, result) => {
        if (!err && profileDir) writeFileSync(join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
      return { eld: eventLoopDelaySummary(delay) };
    },
  };
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    // A close that hangs must not keep the process alive.
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    close().then(
      () => process.exit(code),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') return stop(0);
    const handler = message.type ? (handlers[message.type] ?? builtIn[message.type]) : undefined;
    if (handler) process.send?.({ type: message.type, ...(handler() as object) });
  });
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
}
