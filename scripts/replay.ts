import { drizzle } from 'drizzle-orm/node-postgres';
import { createLogger, createPool, resetProjection } from '@plaza/common';
import { SUBGRAPHS } from '@plaza/schema';

/**
 * `npm run replay -- <subgraph> <consumer>`: rebuilds one consumer's projection from the
 * beginning of its topics. It empties the projection and its stored positions in one transaction;
 * the subgraph's instances then read the topics from the start into the empty projection as soon
 * as they (re)join the consumer group: restart them (a rolling restart is fine). Readers see the
 * projection refill meanwhile.
 */
const [name, consumer] = process.argv.slice(2);
const subgraph = SUBGRAPHS.find((s) => s.name === name);
const usage = () =>
  SUBGRAPHS.flatMap((s) => Object.keys(s.projections).map((c) => `  npm run replay -- ${s.name} ${c}`)).join('\n');
if (!subgraph || !consumer || !(consumer in subgraph.projections)) {
  console.error(`usage: npm run replay -- <subgraph> <consumer>; one of:\n${usage() || '  (no subgraph has projections)'}`);
  process.exit(2);
}
const reset = subgraph.projections[consumer];
const { runtime } = subgraph.loadConfig();
const pool = createPool({ url: runtime.postgres.url, max: 1, name: 'plaza-replay', logger: createLogger('replay', 'warn') });
try {
  if (reset) await resetProjection({ subgraph: subgraph.name, consumer, transaction: (fn) => drizzle(pool).transaction(fn), reset });
  console.log(`replay: ${subgraph.name}/${consumer} emptied; restart ${subgraph.name} to rebuild it from the topics' beginning`);
} finally {
  await pool.end();
}
