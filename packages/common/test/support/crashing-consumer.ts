import { consumerFixture } from './consumer-fixture.js';

/**
 * A consumer process that dies by SIGKILL right after its first database commit and before it
 * can commit the Kafka offset: the worst moment for exactly-once. Run by consumer.test.ts with
 * the fixture's schema and topic as arguments.
 */
const [schema, topic] = process.argv.slice(2);
if (!schema || !topic) throw new Error('usage: crashing-consumer.ts <schema> <topic>');
const fixture = await consumerFixture({ schema, topic });
await fixture
  .consumer({
    afterCommit: () => {
      process.kill(process.pid, 'SIGKILL');
      return Promise.resolve();
    },
  })
  .start();
