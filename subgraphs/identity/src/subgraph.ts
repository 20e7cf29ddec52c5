import { z } from 'zod';
import { createRateLimiter, defineSubgraph, envInt, resolvePrivateKey } from '@plaza/common';
import { createLoaders, type IdentityContext } from './context.js';
import { createAccounts } from './domain/accounts.js';
import { createPasswordHasher } from './domain/passwords.js';
import { createTokenIssuer } from './domain/tokens.js';
import { resolvers } from './resolvers.js';
import { createIdentityStore } from './store.js';

/** Accounts, profiles, access and refresh tokens, sessions and login throttling. */
export const identity = defineSubgraph({
  name: 'identity',
  port: 4001,
  moduleUrl: import.meta.url,
  resolvers,
  env: {
    /** PEM (PKCS#8) Ed25519 signing key; generated into PLAZA_HOME in development. */
    JWT_PRIVATE_KEY: z.string().optional(),
    ACCESS_TOKEN_TTL_SECONDS: envInt(30 * 60, 10),
    REFRESH_TOKEN_TTL_SECONDS: envInt(7 * 24 * 3600, 60),
    /** Failed logins allowed per username per window. */
    LOGIN_MAX_FAILURES_PER_USERNAME: envInt(5, 1),
    /** Failed logins allowed per client IP per window. */
    LOGIN_MAX_FAILURES_PER_IP: envInt(50, 1),
    LOGIN_WINDOW_SECONDS: envInt(15 * 60, 1),
    /** argon2id cost; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane). */
    ARGON2_MEMORY_KIB: envInt(19_456, 1024),
    ARGON2_TIME_COST: envInt(2, 1),
  },
  settings: (env) => ({
    // Resolved with the rest of the configuration: a production process without its signing key
    // stops here, before it opens anything.
    privateKeyPem: resolvePrivateKey({
      production: env.NODE_ENV === 'production',
      home: env.PLAZA_HOME,
      privateKeyPem: env.JWT_PRIVATE_KEY,
    }),
    tokens: { accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS, refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS },
    login: {
      maxFailuresPerUsername: env.LOGIN_MAX_FAILURES_PER_USERNAME,
      maxFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST },
  }),
  signingKey: (settings) => settings.privateKeyPem,
  async wire({ runtime, settings, logger }) {
    const store = createIdentityStore(runtime.pool, () => runtime.outbox.wake());
    const accounts = createAccounts({
      store,
      hasher: await createPasswordHasher(settings.argon2),
      issuer: await createTokenIssuer({
        privateKeyPem: settings.privateKeyPem,
        issuer: runtime.config.auth.issuer,
        audience: runtime.config.auth.audience,
        ...settings.tokens,
      }),
      redis: runtime.redis,
      limiter: createRateLimiter(runtime.redis),
      login: settings.login,
      logger,
    });
    return {
      context: (identity): IdentityContext => ({ ...identity, accounts, store, loaders: createLoaders(store) }),
    };
  },
});
