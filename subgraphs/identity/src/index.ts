export { name, startIdentity } from './service.js';
export { typeDefs } from './schema.js';
export { resolvers } from './resolvers.js';
export { loadConfig, type IdentityConfig } from './environment.js';
