import { describe, expect, it } from 'vitest';
import { createKafka, createLogger } from '@plaza/common';
import { createViewBatcher } from '../src/domain/views.js';

/** A broker address nothing listens on: every send fails. */
const logger = createLogger('social-test', 'silent');
const unreachable = () => createKafka({ brokers: ['127.0.0.1:1'], clientId: 'plaza-social-test', logger });

describe('the view batcher', () => {
  it('keeps views Kafka refused for the next send, and drops (and counts) only what exceeds its buffer', async () => {
    const batcher = createViewBatcher({ kafka: unreachable(), logger, settings: { flushMs: 60_000, batchSize: 1_000, bufferMax: 5 } });
    expect(batcher.add('a')).toBe(true);
    expect(batcher.add('a')).toBe(true);
    expect(batcher.add('b')).toBe(true);
    await expect(batcher.flush()).rejects.toThrow();
    expect(batcher.buffered()).toBe(3);
    expect(batcher.add('c')).toBe(true);
    expect(batcher.add('c')).toBe(true);
    expect(batcher.add('c')).toBe(false);
    expect(batcher.buffered()).toBe(5);
    await batcher.stop();
  }, 60_000);
});
