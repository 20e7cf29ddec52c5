#!/usr/bin/env node
// Readiness probe for the Plaza Kafka broker.
//
//   node infra/kafka/ready.mjs [--verbose]
//
// Asks the brokers in KAFKA_BROKERS (default 127.0.0.1:9092) for cluster
// metadata with kafkajs admin.describeCluster(). Quiet by default.
// Exit codes: 0 = a broker answered, 1 = no answer, 3 = kafkajs is not installed.
// With --verbose the cluster id / brokers (or the error) are printed.

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const verbose = process.argv.includes('--verbose');
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS || 4000);

// Hard stop: whatever kafkajs does, never hang the caller.
const watchdog = setTimeout(() => {
  if (verbose) console.error(`kafka: no answer from ${brokers.join(',')} within ${timeoutMs} ms`);
  process.exit(1);
}, timeoutMs);

let kafkajs;
try {
  // Plain ESM import: resolves from the repo's node_modules (this file lives in the repo).
  kafkajs = await import('kafkajs');
  // Node 24 warns about a negative timer inside kafkajs; Plaza's workaround (see the file).
  await import('@plaza/common/kafkajs-node24');
} catch (err) {
  console.error(`kafka: the kafkajs package is not installed (${err.code || err.message}); run 'npm ci' at the repo root`);
  process.exit(3);
}
const { Kafka, logLevel } = kafkajs.default ?? kafkajs;

const kafka = new Kafka({
  clientId: 'plaza-infra-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: Math.min(1500, timeoutMs),
  requestTimeout: Math.min(3000, timeoutMs),
  retry: { retries: 0 },
});
const admin = kafka.admin({ retry: { retries: 0 } });

let code = 1;
try {
  await admin.connect();
  const info = await admin.describeCluster();
  if (verbose) {
    const list = info.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',');
    console.log(`kafka: cluster ${info.clusterId}, controller ${info.controller}, brokers ${list}`);
  }
  code = info.brokers.length > 0 ? 0 : 1;
} catch (err) {
  if (verbose) console.error(`kafka: ${brokers.join(',')} did not answer: ${err.message}`);
} finally {
  await admin.disconnect().catch(() => {});
}
clearTimeout(watchdog);
process.exit(code);
