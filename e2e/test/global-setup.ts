import { migrateAll } from '@plaza/scripts';

/** Once per run, before any test file starts services: schemas migrated, topics created. */
export default async function setup(): Promise<void> {
  await migrateAll();
}
