import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@plaza/common';

const kafkaScript = join(repoRoot(), 'infra', 'kafka.sh');

/** Runs this checkout's infra/kafka.sh (start, stop, status): how the fault suite makes an outage. */
export const kafka = (cmd: 'start' | 'stop' | 'status') =>
  execFileSync('bash', [kafkaScript, cmd], { stdio: 'pipe', timeout: 90_000, encoding: 'utf8' });

/** The outage can only be injected into a broker this checkout's infra/kafka.sh started. */
export const brokerIsManaged = (): boolean => !/external broker/.test(kafka('status'));
