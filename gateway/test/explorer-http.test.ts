import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@plaza/common';
import { createBundleBuilder, type ExplorerBundle } from '../src/explorer/bundle.js';
import { createExplorer, type Explorer } from '../src/explorer/index.js';

const logger = createLogger('explorer-http-test', 'silent');

interface Served {
  origin: string;
  close(): Promise<void>;
}

/** The explorer's middleware on a bare HTTP server; whatever it leaves alone answers 418. */
async function serve(explorer: Explorer): Promise<Served> {
  const server = createServer((req, res) => {
    explorer.middleware(req, res, () => {
      res.writeHead(418).end('not the explorer');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await explorer.close();
    },
  };
}

/** A raw request (fetch would decompress): status, headers and the bytes as sent. */
async function rawRequest(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

let home: string;
let first: ExplorerBundle;
let second: ExplorerBundle;
let served: Served;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'plaza-explorer-test-'));
  // Two gateways sharing a PLAZA_HOME, asked at the same moment on a fresh clone.
  const cacheDir = join(home, 'explorer');
  [first, second] = await Promise.all([
    createBundleBuilder({ cacheDir, logger }).get(),
    createBundleBuilder({ cacheDir, logger }).get(),
  ]);
  served = await serve(createExplorer({ enabled: true, graphqlPath: '/graphql', home, logger }));
}, 180_000);

afterAll(async () => {
  await served?.close();
  await rm(home, { recursive: true, force: true });
});

describe('offline explorer bundle', { timeout: 60_000 }, () => {
  it('is built into PLAZA_HOME once, by concurrent gateways alike, and read from there afterwards', async () => {
    expect(first.source).toBe('build');
    expect(second.key).toBe(first.key);
    expect([...second.assets.keys()].sort()).toEqual([...first.assets.keys()].sort());
    // No half-written build left behind, one directory per key.
    expect(await readdir(join(home, 'explorer'))).toEqual([first.key]);
    const manifest = JSON.parse(await readFile(join(home, 'explorer', first.key, 'manifest.json'), 'utf8')) as {
      versions: Record<string, string>;
    };
    expect(manifest.versions).toMatchObject({ graphiql: '5.4.0', '@graphiql/toolkit': '0.12.1' });

    const again = await createBundleBuilder({ cacheDir: join(home, 'explorer'), logger }).get();
    expect(again.source).toBe('cache');
    expect(again.key).toBe(first.key);
    expect(again.entry).toEqual(first.entry);
  });

  it('holds GraphiQL, its stylesheet and the three Monaco workers, with no source map or CDN reference to fetch', () => {
    const { entry, assets } = first;
    for (const name of [entry.script, entry.style, entry.workers.editor, entry.workers.json, entry.workers.graphql]) {
      expect(assets.has(name)).toBe(true);
    }
    for (const [name, asset] of assets) {
      const text = asset.body.toString('latin1');
      expect(text, name).not.toMatch(/sourceMappingURL/);
      expect(text, name).not.toMatch(/esm\.sh|unpkg\.com|jsdelivr|fonts\.googleapis|cdn\.apollographql/);
    }
  });
});

// 60 s: if the lockfile changes meanwhile (an npm install in the same checkout), the bundle is rebuilt.
describe('offline explorer over HTTP', { timeout: 60_000 }, () => {
  it('serves the page with a CSP limited to its own origin, naming assets that are all served with their types', async () => {
    const res = await fetch(`${served.origin}/explorer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    const html = await res.text();
    expect(html).toContain('"graphqlPath":"/graphql"');
    const urls = [...html.matchAll(/(?:href|src)="(\/explorer\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    const config = /<script type="application\/json"[^>]*>([^<]+)<\/script>/.exec(html)?.[1] ?? '{}';
    const workers = Object.values((JSON.parse(config) as { workers: Record<string, string> }).workers);
    expect(urls).toHaveLength(2);
    expect(workers).toHaveLength(3);
    for (const url of [...urls, ...workers]) {
      const asset = await fetch(`${served.origin}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    // The trailing-slash form is the same page.
    expect((await fetch(`${served.origin}/explorer/`)).status).toBe(200);
  });

  it('sends assets gzipped to browsers that accept it, identical once decompressed', async () => {
    const script = `${served.origin}/explorer/assets/${first.entry.script}`;
    const zipped = await rawRequest(script, { 'accept-encoding': 'gzip, deflate, br' });
    const plain = await rawRequest(script, {});
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
  });

  it("serves the landing page's fallback script", async () => {
    const res = await fetch(`${served.origin}/explorer/sandbox-fallback.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await res.text();
    expect(code).toContain('EmbeddedSandbox');
    expect(code).toContain('location.replace');
  });

  it('answers 404 for unknown files, 405 for other methods, HEAD without a body, and leaves other paths alone', async () => {
    expect((await fetch(`${served.origin}/explorer/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${served.origin}/explorer/other`)).status).toBe(404);
    const post = await fetch(`${served.origin}/explorer`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await rawRequest(`${served.origin}/explorer`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
    expect((await fetch(`${served.origin}/explorerx`)).status).toBe(418);
    expect((await fetch(`${served.origin}/graphql`)).status).toBe(418);
  });

  it('answers 503 with the reason when the bundle cannot be built', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'plaza-explorer-broken-'));
    // The cache directory's place is taken by a file: nothing can be written there.
    await writeFile(join(broken, 'explorer'), 'not a directory');
    const failing = await serve(createExplorer({ enabled: true, graphqlPath: '/graphql', home: broken, logger }));
    try {
      const res = await fetch(`${failing.origin}/explorer`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/could not be built.*(EEXIST|ENOTDIR)/s);
      expect((await fetch(`${failing.origin}/explorer/assets/${first.entry.script}`)).status).toBe(503);
    } finally {
      await failing.close();
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('leaves every request alone when disabled (production, LANDING_PAGE=false)', async () => {
    const disabled = await serve(createExplorer({ enabled: false, graphqlPath: '/graphql', home, logger }));
    try {
      expect((await fetch(`${disabled.origin}/explorer`)).status).toBe(418);
      expect((await fetch(`${disabled.origin}/explorer/sandbox-fallback.js`)).status).toBe(418);
      expect((await fetch(`${disabled.origin}/explorer/assets/${first.entry.script}`)).status).toBe(418);
    } finally {
      await disabled.close();
    }
  });
});
