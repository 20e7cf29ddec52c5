import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerFixture, type ConsumerFixture } from './support/consumer-fixture.js';

/** Polls until `check` holds, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let fx: ConsumerFixture;
beforeAll(async () => {
  fx = await consumerFixture();
});
afterAll(async () => {
  await fx.close();
  await fx.pool.query(`drop schema if exists ${fx.schema} cascade`).catch(() => {});
});

describe('the event consumer', () => {
  it('applies each event once when a consumer is killed between the database commit and the Kafka offset commit', async () => {
    const ids = await fx.produce(['crash_a', 'crash_b', 'crash_c']);
    // A consumer process dies (SIGKILL) right after its transaction committed, before Kafka
    // heard of it.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'crashing-consumer.ts'), fx.schema, fx.topic], {
      stdio: 'ignore',
      env: process.env,
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const afterCrash = await fx.tally();
    expect(ids.map((id) => afterCrash.get(id))).toEqual([1, 1, 1]);
    // Kafka never heard that the batch was consumed: as far as it knows, all of it is still due.
    expect(await fx.kafkaCommitted()).toBeLessThan(3n);

    // The same group starts again from Kafka's position; Postgres knows the batch was applied.
    const consumer = fx.consumer();
    await consumer.start();
    const more = await fx.produce(['crash_d']);
    await until(async () => (await fx.tally()).get(more[0] ?? '') === 1);
    const tally = await fx.tally();
    expect([...ids, ...more].map((id) => tally.get(id))).toEqual([1, 1, 1, 1]);
    await consumer.stop();
  });

  it('sets aside an undecodable message and one the handler keeps rejecting, with their errors, and goes on with the partition', async () => {
    const consumer = fx.consumer({ maxAttempts: 2 });
    await consumer.start();
    await fx.produceGarbage('{"not": "an envelope"');
    const [poison] = await fx.produce(['poison_1']);
    const [after] = await fx.produce(['after_poison']);
    await until(async () => (await fx.tally()).get(after ?? '') === 1);
    const letters = await fx.deadLetters();
    expect(letters.some((l) => l.error.startsWith('undecodable') && l.value === '{"not": "an envelope"')).toBe(true);
    expect(letters.some((l) => /handler failed 2 times: Error: cannot apply poison_1/.test(l.error))).toBe(true);
    expect((await fx.tally()).has(poison ?? '')).toBe(false);
    await consumer.stop();
  });

  it('stops after the batch in hand and resumes where it left off, in order, with nothing lost or repeated', async () => {
    const first = fx.consumer();
    await first.start();
    const batch1 = await fx.produce(['resume_1', 'resume_2']);
    await until(async () => (await fx.tally()).get(batch1[1] ?? '') === 1);
    await first.stop();
    const batch2 = await fx.produce(['resume_3', 'resume_4']);
    const second = fx.consumer();
    await second.start();
    await until(async () => (await fx.tally()).get(batch2[1] ?? '') === 1);
    const tally = await fx.tally();
    expect([...batch1, ...batch2].map((id) => tally.get(id))).toEqual([1, 1, 1, 1]);
    await second.stop();
  });

  it('replays a topic from the beginning into a fresh projection when its positions are reset, whatever Kafka committed', async () => {
    const consumer = fx.consumer();
    await consumer.start();
    const ids = await fx.produce(['replay_1']);
    await until(async () => (await fx.tally()).get(ids[0] ?? '') === 1);
    await consumer.stop();
    const before = await fx.tally();

    // What `npm run replay` does: empty the projection and its positions in one transaction.
    await fx.pool.query(`begin; truncate ${fx.schema}.tally; delete from ${fx.schema}.consumer_offsets; commit`);
    const replay = fx.consumer();
    await replay.start();
    await until(async () => (await fx.tally()).size === before.size);
    expect(await fx.tally()).toEqual(before);
    await replay.stop();
  });

  it('starts a partition from 0 when its stored position belongs to another Kafka cluster (a recreated broker)', async () => {
    const consumer = fx.consumer();
    await consumer.start();
    const [seed] = await fx.produce(['cluster_seed']);
    await until(async () => (await fx.tally()).get(seed ?? '') === 1);
    await consumer.stop();
    // As if the broker's storage had been recreated: the stored offsets are from elsewhere and
    // far ahead of anything on the topic.
    await fx.pool.query(`update ${fx.schema}.consumer_offsets set next_offset = 1000000, cluster_id = 'another-cluster'`);
    await fx.pool.query(`truncate ${fx.schema}.tally`);
    const again = fx.consumer();
    await again.start();
    const [fresh] = await fx.produce(['cluster_fresh']);
    await until(async () => (await fx.tally()).get(fresh ?? '') === 1);
    expect((await fx.tally()).get(seed ?? '')).toBe(1);
    await again.stop();
  });

  it('applies each event once when two consumer groups share one database (two test runs, two deployments)', async () => {
    const a = fx.consumer({ groupPrefix: 'plaza-test-a' });
    const b = fx.consumer({ groupPrefix: 'plaza-test-b' });
    await Promise.all([a.start(), b.start()]);
    const ids = await fx.produce(Array.from({ length: 20 }, (_, i) => `shared_${i}`));
    await until(async () => {
      const tally = await fx.tally();
      return ids.every((id) => tally.has(id));
    });
    await new Promise((r) => setTimeout(r, 500));
    const tally = await fx.tally();
    expect(ids.map((id) => tally.get(id))).toEqual(ids.map(() => 1));
    // Both groups received every message; whichever came second found it applied already.
    expect(a.stats().applied + b.stats().applied).toBe(20);
    expect(a.stats().redelivered + b.stats().redelivered).toBe(20);
    await Promise.all([a.stop(), b.stop()]);
  });
});
