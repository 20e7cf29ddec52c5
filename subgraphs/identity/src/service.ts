import {
  createLogger,
  createRateLimiter,
  createServiceRuntime,
  resolvePrivateKey,
  serveSubgraph,
  type RunningServer,
} from '@plaza/common';
import { createAccounts } from './domain/accounts.js';
import { createPasswordHasher } from './domain/passwords.js';
import { createTokenIssuer } from './domain/tokens.js';
import type { IdentityConfig } from './environment.js';
import { createLoaders, type IdentityContext } from './context.js';
import { resolvers } from './resolvers.js';
import { typeDefs } from './schema.js';
import { createIdentityStore } from './store.js';

export const name = 'identity';

/** Wires and starts the identity subgraph; returns its URL and how to stop it. */
export async function startIdentity(config: IdentityConfig): Promise<RunningServer> {
  const logger = createLogger(name, config.logLevel);
  const runtime = await createServiceRuntime(config.runtime, logger);
  const store = createIdentityStore(runtime.pool, () => runtime.outbox.wake());
  const accounts = createAccounts({
    store,
    hasher: await createPasswordHasher(config.argon2),
    issuer: await createTokenIssuer({
      privateKeyPem: resolvePrivateKey({
        production: config.runtime.production,
        home: config.runtime.home,
        privateKeyPem: config.tokens.privateKeyPem,
      }),
      issuer: config.runtime.auth.issuer,
      audience: config.runtime.auth.audience,
      accessTtlSeconds: config.tokens.accessTtlSeconds,
      refreshTtlSeconds: config.tokens.refreshTtlSeconds,
    }),
    redis: runtime.redis,
    limiter: createRateLimiter(runtime.redis),
    login: config.login,
    logger,
  });

  return serveSubgraph<Omit<IdentityContext, 'viewer' | 'clientIp'>>({
    runtime,
    module: { name, typeDefs, resolvers },
    server: config.server,
    context: () => ({ accounts, store, loaders: createLoaders(store) }),
  });
}
