import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envInt, parseEnv, subgraphRuntimeConfig, SubgraphEnvShape, type RuntimeConfig } from '@plaza/common';

const ContentEnvSchema = z.object({
  ...SubgraphEnvShape,
  PORT: envInt(4002),
});

export interface ContentConfig {
  runtime: RuntimeConfig;
  server: { host: string; port: number };
  logLevel: z.infer<typeof ContentEnvSchema>['LOG_LEVEL'];
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): ContentConfig {
  const env = parseEnv(ContentEnvSchema, source);
  return {
    runtime: subgraphRuntimeConfig(env, {
      name: 'content',
      schema: 'content',
      migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
    }),
    server: { host: env.HOST, port: env.PORT },
    logLevel: env.LOG_LEVEL,
  };
}
