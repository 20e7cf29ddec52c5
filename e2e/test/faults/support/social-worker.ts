import { createRedis } from '@plaza/common';
import { SUBGRAPHS } from '@plaza/schema';

/**
 * The social subgraph (consumers included) in a process of its own, for the crash test. With
 * CRASH_ON_POST=<post id> the process kills itself (SIGKILL: no shutdown, no offset commit) at
 * the first Redis write of that post's counters by a consumer, which comes right after the
 * consumer's Postgres commit and before its Kafka offset commit: the worst moment to crash.
 * Prints "ready" once the subgraph runs; SIGTERM stops it gracefully.
 */
const crashOn = process.env.CRASH_ON_POST;
if (crashOn) {
  const probe = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-e2e-probe');
  const prototype = Object.getPrototypeOf(probe) as { sendCommand: (this: unknown, command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown };
  probe.disconnect();
  const sendCommand = prototype.sendCommand;
  prototype.sendCommand = function (command, ...rest) {
    const writesPost = (command.name === 'evalsha' || command.name === 'eval') && command.args.some((a) => String(a) === `social:pc:${crashOn}`);
    if (writesPost) process.kill(process.pid, 'SIGKILL');
    return sendCommand.call(this, command, ...rest);
  };
}

const social = SUBGRAPHS.find((s) => s.name === 'social');
if (!social) throw new Error('social is not registered');
const server = await social.start({ ...process.env, PORT: '0' });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
