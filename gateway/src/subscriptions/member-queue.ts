import type { ExecutionResult } from 'graphql';

/**
 * One subscriber's results, read by graphql-ws as an async generator (it calls `return()` when the
 * client completes the operation or the socket closes). Results wait here while the client's
 * socket is busy; a client that falls `limit` results behind is too slow to follow the stream,
 * and `onOverflow` decides what happens to it (its socket is closed: it reconnects and catches up).
 */
export interface MemberQueue {
  readonly iterator: AsyncGenerator<ExecutionResult>;
  push(result: ExecutionResult): void;
  /** Ends the stream after the results already queued. */
  end(): void;
  /** Runs once when the stream ends, however it ends. */
  onEnd(fn: () => void): void;
  /** Results waiting to be sent. */
  pending(): number;
}

export function createMemberQueue(limit: number, onOverflow: () => void): MemberQueue {
  const queued: ExecutionResult[] = [];
  let waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  /** No more results will be pushed. */
  let ending = false;
  /** Finished: nothing more is read either. */
  let finished = false;
  const endHandlers: (() => void)[] = [];

  function finish(): void {
    if (finished) return;
    finished = true;
    queued.length = 0;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    for (const fn of endHandlers.splice(0)) fn();
  }

  const iterator: AsyncGenerator<ExecutionResult> = {
    next() {
      const value = queued.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (ending || finished) {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err: unknown) {
      finish();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    iterator,
    push(result) {
      if (ending || finished) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: result, done: false });
        return;
      }
      if (queued.length >= limit) {
        onOverflow();
        finish();
        return;
      }
      queued.push(result);
    },
    end() {
      if (ending || finished) return;
      ending = true;
      if (waiting && queued.length === 0) finish();
    },
    onEnd(fn) {
      if (finished) fn();
      else endHandlers.push(fn);
    },
    pending: () => queued.length,
  };
}
