export { migrateAll, runtimeConfigs } from './migrate.js';
