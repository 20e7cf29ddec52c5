import { describe, expect, it } from 'vitest';
import { createEventQueue } from '../src/domain/messages.js';

describe('the subscription event queue', () => {
  it('should hand values out in order, whether they were pushed before or while the reader waits', async () => {
    const queue = createEventQueue<number>();
    queue.push(1);
    queue.push(2);
    const it = queue.iterator;
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
    const waiting = it.next();
    queue.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
  });

  it('should end a waiting reader and run its close handlers once when the reader returns', async () => {
    const queue = createEventQueue<number>();
    let closed = 0;
    queue.onClose(() => closed++);
    const waiting = queue.iterator.next();
    await queue.iterator.return(undefined);
    expect(await waiting).toEqual({ value: undefined, done: true });
    await queue.iterator.return(undefined);
    queue.push(4);
    expect(await queue.iterator.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    // A handler registered after the end runs at once.
    queue.onClose(() => closed++);
    expect(closed).toBe(2);
  });
});
