export { name, startContent } from './service.js';
export { typeDefs } from './schema.js';
export { resolvers } from './resolvers.js';
export { loadConfig, type ContentConfig } from './environment.js';
