import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@plaza/common';
import { migrateAll } from '@plaza/scripts';

/**
 * Once per run, before any test file starts services: the test database exists (created with its
 * extensions when missing, as `npm test` does through infra/up.sh), schemas migrated, topics created.
 */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [join(repoRoot(), 'infra', 'postgres', 'ensure-db.mjs')], { stdio: 'ignore' });
  await migrateAll();
}
