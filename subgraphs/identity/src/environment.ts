import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envInt, parseEnv, subgraphRuntimeConfig, SubgraphEnvShape, type RuntimeConfig } from '@plaza/common';

const IdentityEnvSchema = z.object({
  ...SubgraphEnvShape,
  PORT: envInt(4001),
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
});

export interface IdentityConfig {
  runtime: RuntimeConfig;
  server: { host: string; port: number };
  logLevel: z.infer<typeof IdentityEnvSchema>['LOG_LEVEL'];
  tokens: {
    privateKeyPem: string | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  login: { maxFailuresPerUsername: number; maxFailuresPerIp: number; windowSeconds: number };
  argon2: { memoryCost: number; timeCost: number };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const env = parseEnv(IdentityEnvSchema, source);
  return {
    runtime: subgraphRuntimeConfig(env, {
      name: 'identity',
      schema: 'identity',
      migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
      privateKeyPem: env.JWT_PRIVATE_KEY,
    }),
    server: { host: env.HOST, port: env.PORT },
    logLevel: env.LOG_LEVEL,
    tokens: {
      privateKeyPem: env.JWT_PRIVATE_KEY,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    },
    login: {
      maxFailuresPerUsername: env.LOGIN_MAX_FAILURES_PER_USERNAME,
      maxFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST },
  };
}
