import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { repoRoot, type Logger } from '@plaza/common/core';

/**
 * The offline explorer's browser bundle: GraphiQL (React, Monaco) and its three Monaco web
 * workers, built with esbuild from the installed npm packages the first time a browser asks
 * for it, then cached on disk under `<PLAZA_HOME>/explorer/<key>/`. The key covers every input
 * (package versions, the lockfile, the client sources and this file), so an upgrade rebuilds
 * and an unchanged checkout never does. Files are served from memory once loaded.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
/** The client's sources: next to this file, or in src/explorer/client for the built gateway (dist/). */
const CLIENT_DIR = [join(HERE, 'client'), join(HERE, '..', 'src', 'explorer', 'client')].find((dir) => existsSync(dir)) ?? join(HERE, 'client');
const APP_ENTRY = join(CLIENT_DIR, 'explorer.tsx');
const FALLBACK_ENTRY = join(CLIENT_DIR, 'sandbox-fallback.ts');
const CLIENT_SOURCES = ['explorer.tsx', 'sandbox-fallback.ts', '../config.ts', '../bundle.ts'];
const MANIFEST = 'manifest.json';
/** A failed build is retried on a request after this long, not on every request. */
const RETRY_AFTER_FAILURE_MS = 30_000;
/**
 * After a build, other keys' directories older than this are removed: ten minutes, so a
 * gateway still reading one (a second at most) is left alone. Safe because a gateway computes
 * its key when first asked and keeps the bundle in memory once read; a key is never needed again
 * unless the sources or the lockfile go back to an earlier state, which costs one rebuild.
 */
const STALE_CACHE_MS = 10 * 60 * 1000;
/** Chromium, Firefox and Safari releases of 2023 onwards: module workers and modern syntax. */
const BROWSER_TARGETS = ['chrome115', 'firefox115', 'safari17'];
/** Packages whose installed versions go into the cache key and the manifest. */
const KEY_PACKAGES = [
  'graphiql',
  '@graphiql/react',
  '@graphiql/toolkit',
  'monaco-editor',
  'monaco-graphql',
  'react',
  'react-dom',
  'graphql',
  'graphql-ws',
  'esbuild',
] as const;

export interface ExplorerAsset {
  body: Buffer;
  /** Precompressed at build time; served when the browser accepts gzip. */
  gzip: Buffer;
  contentType: string;
}

export interface ExplorerBundle {
  key: string;
  /** `build` when this call built it, `cache` when it was read from PLAZA_HOME. */
  source: 'build' | 'cache';
  /** Wall time of the build or of reading the cache, milliseconds. */
  ms: number;
  /** By file name (content-hashed, so served as immutable). */
  assets: ReadonlyMap<string, ExplorerAsset>;
  entry: { script: string; style: string; workers: { editor: string; json: string; graphql: string } };
}

interface Manifest {
  key: string;
  versions: Record<string, string>;
  builtAt: string;
  buildMs: number;
  entry: ExplorerBundle['entry'];
  files: { name: string; contentType: string; bytes: number; gzipBytes: number }[];
}

export interface BundleBuilder {
  /** The bundle, built or read from the cache on the first call; later calls share it. */
  get(): Promise<ExplorerBundle>;
  /** The small script that Apollo's landing page loads to switch to the explorer (no bundling wait). */
  fallbackScript(): Promise<Buffer>;
  /** Waits for a build in progress, so a stopping gateway leaves no half-written cache. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
}

/**
 * The directory of an installed package, found the way Node looks for it from `fromDir`
 * (node_modules upwards), without going through its `exports` map, which may hide
 * `package.json` or the worker files.
 */
function packageDir(name: string, fromDir: string): string {
  const paths = createRequire(join(fromDir, 'noop.js')).resolve.paths(name) ?? [];
  for (const base of paths) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`the offline explorer needs the npm package ${name}, which is not installed (run npm install)`);
}

interface Inputs {
  dirs: Record<(typeof KEY_PACKAGES)[number], string>;
  versions: Record<string, string>;
  key: string;
}

/** Locates every input and derives the cache key from their versions and contents. */
function readInputs(): Inputs {
  const graphiql = packageDir('graphiql', CLIENT_DIR);
  const graphiqlReact = packageDir('@graphiql/react', graphiql);
  const dirs: Inputs['dirs'] = {
    graphiql,
    '@graphiql/react': graphiqlReact,
    '@graphiql/toolkit': packageDir('@graphiql/toolkit', CLIENT_DIR),
    'monaco-editor': packageDir('monaco-editor', graphiqlReact),
    'monaco-graphql': packageDir('monaco-graphql', graphiqlReact),
    react: packageDir('react', CLIENT_DIR),
    'react-dom': packageDir('react-dom', CLIENT_DIR),
    graphql: packageDir('graphql', CLIENT_DIR),
    'graphql-ws': packageDir('graphql-ws', CLIENT_DIR),
    esbuild: packageDir('esbuild', CLIENT_DIR),
  };
  const versions: Record<string, string> = {};
  const hash = createHash('sha256');
  for (const name of KEY_PACKAGES) {
    const { version } = JSON.parse(readFileSync(join(dirs[name], 'package.json'), 'utf8')) as { version: string };
    versions[name] = version;
    hash.update(`${name}@${version}\n`);
  }
  // Transitive packages (Radix, framer-motion, prettier...) change only with the lockfile.
  const lockfile = join(repoRoot(), 'package-lock.json');
  if (existsSync(lockfile)) hash.update(readFileSync(lockfile));
  for (const source of CLIENT_SOURCES) hash.update(readFileSync(join(CLIENT_DIR, source)));
  return { dirs, versions, key: hash.digest('hex').slice(0, 16) };
}

async function loadFromDir(dir: string, source: ExplorerBundle['source'], started: number): Promise<ExplorerBundle> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  const assets = new Map<string, ExplorerAsset>();
  for (const file of manifest.files) {
    const [body, gzip] = await Promise.all([readFile(join(dir, file.name)), readFile(join(dir, `${file.name}.gz`))]);
    assets.set(file.name, { body, gzip, contentType: file.contentType });
  }
  return { key: manifest.key, source, ms: Date.now() - started, assets, entry: manifest.entry };
}

type Outputs = Record<string, { entryPoint?: string; cssBundle?: string }>;

/** The output esbuild wrote for an entry point (metafile paths are relative to CLIENT_DIR). */
function outputOf(outputs: Outputs, entry: string): { name: string; cssBundle: string | undefined } {
  for (const [path, output] of Object.entries(outputs)) {
    if (output.entryPoint && resolve(CLIENT_DIR, output.entryPoint) === entry) {
      return { name: basename(path), cssBundle: output.cssBundle && basename(output.cssBundle) };
    }
  }
  throw new Error(`esbuild produced no output for ${entry}`);
}

/** Builds into `outdir` (which must not exist yet) and writes the manifest last. */
async function build(inputs: Inputs, outdir: string): Promise<void> {
  const started = Date.now();
  const esbuild = await import('esbuild');
  const workers = {
    editor: join(inputs.dirs['monaco-editor'], 'esm/vs/editor/editor.worker.js'),
    json: join(inputs.dirs['monaco-editor'], 'esm/vs/language/json/json.worker.js'),
    graphql: join(inputs.dirs['monaco-graphql'], 'esm/graphql.worker.js'),
  };
  const result = await esbuild.build({
    entryPoints: [APP_ENTRY, workers.editor, workers.json, workers.graphql],
    absWorkingDir: CLIENT_DIR,
    outdir,
    // Content-hashed names: the page (never cached) points at them; they are cached forever.
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: BROWSER_TARGETS,
    minify: true,
    // No source maps: nothing to fetch, and the inputs' own sourceMappingURL comments are dropped.
    sourcemap: false,
    legalComments: 'eof',
    jsx: 'automatic',
    tsconfig: join(CLIENT_DIR, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    // Fonts and icons become files beside the bundle (GraphiQL's are data: URLs already).
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    // Packages installed below graphiql's own node_modules (when npm could not hoist them).
    nodePaths: [join(inputs.dirs.graphiql, 'node_modules'), join(inputs.dirs['@graphiql/react'], 'node_modules')],
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entryOf = (path: string) => outputOf(outputs, path).name;
  const app = outputOf(outputs, APP_ENTRY);
  if (!app.cssBundle) throw new Error('esbuild produced no stylesheet for the explorer');
  const entry: ExplorerBundle['entry'] = {
    script: app.name,
    style: app.cssBundle,
    workers: { editor: entryOf(workers.editor), json: entryOf(workers.json), graphql: entryOf(workers.graphql) },
  };
  const files: Manifest['files'] = [];
  for (const path of Object.keys(outputs)) {
    const name = basename(path);
    const body = await readFile(join(outdir, name));
    // Level 6: level 9 takes twice as long for 0.3% less.
    const gzip = gzipSync(body, { level: 6 });
    await writeFile(join(outdir, `${name}.gz`), gzip);
    files.push({ name, contentType: contentTypeOf(name), bytes: body.length, gzipBytes: gzip.length });
  }
  const manifest: Manifest = {
    key: inputs.key,
    versions: inputs.versions,
    builtAt: new Date().toISOString(),
    buildMs: Date.now() - started,
    entry,
    files,
  };
  await writeFile(join(outdir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Removes other keys' directories (and abandoned temporary builds) older than STALE_CACHE_MS. */
async function pruneStale(cacheDir: string, keep: string, logger: Logger): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name === keep) continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs > STALE_CACHE_MS) await rm(path, { recursive: true, force: true });
    } catch (err) {
      logger.debug({ err, path }, 'explorer cache: could not prune');
    }
  }
}

export function createBundleBuilder(opts: { cacheDir: string; logger: Logger }): BundleBuilder {
  const { cacheDir, logger } = opts;
  let pending: Promise<ExplorerBundle> | undefined;
  let failure: { at: number; error: Error } | undefined;
  let fallback: Promise<Buffer> | undefined;

  async function produce(): Promise<ExplorerBundle> {
    const started = Date.now();
    const inputs = readInputs();
    const dir = join(cacheDir, inputs.key);
    if (existsSync(join(dir, MANIFEST))) {
      try {
        return await loadFromDir(dir, 'cache', started);
      } catch (err) {
        // A damaged cache (a file deleted by hand, a full disk): build it again.
        logger.warn({ err, dir }, 'offline explorer cache unreadable; rebuilding');
        await rm(dir, { recursive: true, force: true });
      }
    }

    logger.info({ dir }, 'building the offline explorer (GraphiQL) bundle, once per dependency change');
    await mkdir(cacheDir, { recursive: true });
    // Build beside the final directory and rename: another process building the same key at
    // the same moment either wins the rename or finds the directory complete.
    const tmp = join(cacheDir, `.build-${inputs.key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await build(inputs, tmp);
      try {
        await rename(tmp, dir);
      } catch (err) {
        if (!existsSync(join(dir, MANIFEST))) throw err;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const bundle = await loadFromDir(dir, 'build', started);
    const bytes = [...bundle.assets.values()].reduce((sum, a) => sum + a.body.length, 0);
    logger.info({ ms: bundle.ms, bytes, dir }, 'offline explorer bundle built');
    await pruneStale(cacheDir, inputs.key, logger);
    return bundle;
  }

  return {
    get() {
      if (pending) return pending;
      if (failure && Date.now() - failure.at < RETRY_AFTER_FAILURE_MS) return Promise.reject(failure.error);
      const attempt = produce();
      pending = attempt;
      attempt.catch((err: unknown) => {
        logger.error({ err }, 'offline explorer bundle failed to build');
        failure = { at: Date.now(), error: err instanceof Error ? err : new Error(String(err)) };
        if (pending === attempt) pending = undefined;
      });
      return attempt;
    },

    fallbackScript() {
      fallback ??= (async () => {
        const esbuild = await import('esbuild');
        const source = await readFile(FALLBACK_ENTRY, 'utf8');
        const { code } = await esbuild.transform(source, {
          loader: 'ts',
          format: 'iife',
          target: BROWSER_TARGETS,
          minify: true,
          sourcefile: 'sandbox-fallback.ts',
        });
        return Buffer.from(code);
      })();
      const attempt = fallback;
      attempt.catch(() => {
        if (fallback === attempt) fallback = undefined;
      });
      return attempt;
    },

    async close() {
      if (pending) await pending.then(
        () => undefined,
        () => undefined,
      );
    },
  };
}
