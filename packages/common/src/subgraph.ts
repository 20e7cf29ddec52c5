import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DocumentNode } from 'graphql';
import type { LevelWithSilent } from 'pino';
import { z } from 'zod';
import { envInt, parseEnv, SubgraphEnvShape } from './env.js';
import type { SqlExecutor } from './consumer.js';
import { closeAll, runMain, type Closer } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import {
  createServiceRuntime,
  subgraphRuntimeConfig,
  type RequestIdentity,
  type RuntimeConfig,
  type ServiceRuntime,
  type SubgraphEnv,
} from './runtime.js';
import { startSubgraphServer, type RunningServer, type SubgraphAttachment } from './server.js';

/** Empties what one consumer built (its tables), inside the replay's transaction. */
export type ProjectionReset = (tx: SqlExecutor) => Promise<void>;

/** Background work of a subgraph process (a Kafka consumer, say): started after the server listens. */
export interface Worker {
  name: string;
  start: () => Promise<void>;
  /** Finishes what is in hand (a consumer commits its batch) and stops. */
  stop: () => Promise<void>;
  /** For /readyz; absent means always ready. */
  ready?: () => boolean;
}

/** What a subgraph's `wire` returns: how to build a request's context, and its background work. */
export interface SubgraphWiring<TContext> {
  /** The whole per-request context from the request's viewer and client address. */
  context: (identity: RequestIdentity) => TContext;
  workers?: readonly Worker[];
  /** More protocols on the subgraph's port and path (messaging's graphql-ws). */
  attach?: SubgraphAttachment;
}

/** A subgraph's parsed environment: every subgraph's variables, PORT, and its own. */
type EnvOf<TShape extends z.ZodRawShape> = SubgraphEnv & { PORT: number } & z.infer<z.ZodObject<TShape>>;

/** Everything a subgraph process is configured with, read once from its environment. */
export interface SubgraphConfig<TSettings> {
  runtime: RuntimeConfig;
  server: { host: string; port: number };
  logLevel: LevelWithSilent;
  /** The subgraph's own settings (its `settings(env)`). */
  settings: TSettings;
}

export interface SubgraphDefinition<TShape extends z.ZodRawShape, TSettings, TContext> {
  /** Its name in the supergraph, its Postgres schema and its logger's name. */
  name: string;
  /** Default port (PORT overrides); also the URL the checked-in supergraph gives the gateway. */
  port: number;
  /**
   * `import.meta.url` of a module in the subgraph's `src/` folder: the SDL is
   * `src/<name>.graphql` and the migrations are in `drizzle/` beside `src/`.
   */
  moduleUrl: string;
  /** The resolvers, typed by the subgraph with its generated `Resolvers` type. */
  resolvers: object;
  /** The subgraph's own environment variables, on top of every subgraph's (SubgraphEnvShape). */
  env?: TShape;
  /** Turns the parsed environment into the subgraph's settings; throws ConfigError on bad input. */
  settings?(env: EnvOf<TShape>): TSettings;
  /** The private key a subgraph signs with (identity only): the verification key derives from it. */
  signingKey?(settings: TSettings): string | undefined;
  /**
   * The subgraph's rebuildable projections, by consumer name: how to empty what a consumer built,
   * so `npm run replay -- <subgraph> <consumer>` can rebuild it from the topics' beginning.
   */
  projections?: Record<string, ProjectionReset>;
  /** Builds the subgraph's domain on its runtime (stores, domain modules, consumers). */
  wire(deps: { runtime: ServiceRuntime; settings: TSettings; logger: Logger }): SubgraphWiring<TContext> | Promise<SubgraphWiring<TContext>>;
}

/** A defined subgraph: what composition, migrations, `npm start` and the end-to-end harness use. */
export interface Subgraph<TSettings = unknown> {
  name: string;
  port: number;
  /** Absolute path of `src/<name>.graphql`. */
  sdlPath: string;
  /** Absolute path of the subgraph's package folder. */
  packageDir: string;
  /** Absolute path of `src/main.ts`, the process entry point. */
  mainPath: string;
  typeDefs: DocumentNode;
  resolvers: object;
  projections: Record<string, ProjectionReset>;
  /** Reads and validates the environment (defaults filled in); throws ConfigError on bad input. */
  loadConfig(source?: NodeJS.ProcessEnv): SubgraphConfig<TSettings>;
  /** Starts the subgraph with a configuration; the result stops it (and everything it opened). */
  startWith(config: SubgraphConfig<TSettings>): Promise<RunningServer>;
  /** `startWith(loadConfig(source))`. */
  start(source?: NodeJS.ProcessEnv): Promise<RunningServer>;
  /** The process entry point: starts from process.env and stops on SIGINT/SIGTERM. */
  main(): void;
}

/**
 * Defines a subgraph: one call that gives `{ name, typeDefs, resolvers, loadConfig, start }`.
 * Every subgraph is the same shape: its SDL beside its resolvers, its env on top of the shared
 * one, its domain wired onto the shared runtime (Postgres, Redis, Kafka, outbox, auth).
 */
export function defineSubgraph<
  TShape extends z.ZodRawShape,
  TContext extends RequestIdentity,
  TSettings = Record<string, never>,
>(
  def: SubgraphDefinition<TShape, TSettings, TContext>,
): Subgraph<TSettings> {
  const srcDir = dirname(fileURLToPath(def.moduleUrl));
  const packageDir = dirname(srcDir);
  const sdlPath = join(srcDir, `${def.name}.graphql`);
  const typeDefs = parse(readFileSync(sdlPath, 'utf8'));
  const EnvSchema = z.object({ ...SubgraphEnvShape, PORT: envInt(def.port), ...(def.env ?? {}) });

  function loadConfig(source: NodeJS.ProcessEnv = process.env): SubgraphConfig<TSettings> {
    // zod cannot infer through the generic spread of the subgraph's own shape; the schema is
    // exactly SubgraphEnvShape & { PORT } & TShape, so its output is EnvOf<TShape> & { PORT }.
    const env = parseEnv(EnvSchema, source) as unknown as EnvOf<TShape>;
    // Without a settings function a subgraph has none (TSettings defaults to an empty record).
    const settings = (def.settings ? def.settings(env) : {}) as TSettings;
    return {
      runtime: subgraphRuntimeConfig(env, {
        name: def.name,
        schema: def.name,
        migrationsFolder: join(packageDir, 'drizzle'),
        privateKeyPem: def.signingKey?.(settings),
      }),
      server: { host: env.HOST, port: env.PORT },
      logLevel: env.LOG_LEVEL,
      settings,
    };
  }

  async function startWith(config: SubgraphConfig<TSettings>): Promise<RunningServer> {
    const logger = createLogger(def.name, config.logLevel);
    const runtime = await createServiceRuntime(config.runtime, logger);
    /** Closers of what is running so far, last started first. */
    const running: Closer[] = [runtime.close];
    try {
      const wiring = await def.wire({ runtime, settings: config.settings, logger });
      const workers = wiring.workers ?? [];
      const server = await startSubgraphServer<TContext>({
        name: def.name,
        typeDefs,
        resolvers: def.resolvers,
        logger,
        port: config.server.port,
        host: config.server.host,
        introspection: !config.runtime.production,
        readiness: async () => ({
          ...(await runtime.readiness()),
          ...Object.fromEntries(workers.filter((w) => w.ready).map((w) => [w.name, w.ready?.() ?? true])),
        }),
        context: async (req) => wiring.context(await runtime.requestIdentity(req)),
        attach: wiring.attach,
      });
      running.unshift(server.close);
      for (const worker of workers) {
        await worker.start();
        // Stopped after the server has drained and before the runtime closes its pools.
        running.splice(1, 0, () => worker.stop());
      }
      return { ...server, close: () => closeAll(running) };
    } catch (err) {
      await closeAll(running).catch((closeErr: unknown) => {
        logger.warn({ err: closeErr }, 'cleaning up after a failed start also failed');
      });
      throw err;
    }
  }

  return {
    name: def.name,
    port: def.port,
    sdlPath,
    packageDir,
    mainPath: join(srcDir, 'main.ts'),
    typeDefs,
    resolvers: def.resolvers,
    projections: def.projections ?? {},
    loadConfig,
    startWith,
    start: (source) => startWith(loadConfig(source)),
    main() {
      let config: SubgraphConfig<TSettings>;
      try {
        config = loadConfig();
      } catch (err) {
        // Bad configuration: one message naming every bad variable, before anything starts.
        console.error(`${def.name}: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      }
      runMain(createLogger(def.name, config.logLevel), async () => (await startWith(config)).close);
    },
  };
}
