import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  execute,
  graphql,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createLogger } from '@plaza/common';
import { createExplorer, loadConfig, type Explorer } from '@plaza/gateway';
import { registerUser, startPlaza, type Plaza } from '../src/index.js';

/**
 * The gateway's offline explorer in a real headless Chromium (Debian's package). Chromium is
 * required: without it these tests fail, naming the packages to install.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Set to a directory to keep a PNG of what each test's page looked like. */
const SCREENSHOTS = process.env.EXPLORER_SCREENSHOTS;

let plaza: Plaza;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM} (these browser tests need it): ` +
        'apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  plaza = await startPlaza();
  origin = new URL(plaza.url).origin;
  // launch() gives the browser a fresh, temporary user-data-dir, removed on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await plaza?.close();
});

interface Recorder {
  context: BrowserContext;
  page: Page;
  /** Every URL the page, its workers and its sockets asked for, in order. */
  urls: string[];
  /** Messages of console errors and uncaught page errors. */
  errors: string[];
}

/**
 * A fresh browser context that records every request. Requests to other origins are
 * answered as if the machine were offline (`hangExternal` leaves them unanswered instead, to
 * simulate a network that hangs), so the outcome never depends on the runner's internet.
 */
async function openRecorder(
  allowedOrigin: string,
  opts: { hangExternal?: boolean; sandboxScript?: string } = {},
): Promise<Recorder> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const urls: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === allowedOrigin) {
      await route.continue();
    } else if (opts.sandboxScript !== undefined && url.hostname === 'embeddable-sandbox.cdn.apollographql.com') {
      await route.fulfill({ status: 200, contentType: 'text/javascript', body: opts.sandboxScript });
    } else if (!opts.hangExternal) {
      await route.abort('internetdisconnected');
    }
    // hangExternal: neither answered nor aborted, like a black-holed connection.
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => urls.push(ws.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, urls, errors };
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Replaces the contents of a Monaco editor inside `container` with `text`, as typing would. */
async function fillEditor(page: Page, container: string, text: string): Promise<void> {
  await page.locator(`${container} .monaco-editor .view-lines`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText, not type(): typed brackets would be auto-closed by the editor.
  await page.keyboard.insertText(text);
}

/** The response pane's text (Monaco renders spaces as no-break spaces). */
async function responseText(page: Page): Promise<string> {
  const text = await page.locator('.graphiql-response .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

async function runOperation(page: Page, operation: string, headers?: string): Promise<void> {
  await fillEditor(page, '.graphiql-query-editor', operation);
  if (headers !== undefined) {
    await page.getByRole('button', { name: 'Headers' }).click();
    await fillEditor(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', headers);
  }
  await page.locator('.graphiql-execute-button').click();
}

async function openExplorer(recorder: Recorder, url: string): Promise<void> {
  await recorder.page.goto(url);
  await recorder.page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
}

function foreign(urls: string[], allowedOrigin: string): string[] {
  return urls.filter((url) => new URL(url.replace(/^ws/, 'http')).origin !== allowedOrigin);
}

describe('offline explorer in a browser', { timeout: 90_000 }, () => {
  it('renders at /explorer, runs a query through the gateway and shows the answer, asking nothing of any other origin', async () => {
    const user = await registerUser(plaza.client(), { prefix: 'xq' });
    const recorder = await openRecorder(origin);
    try {
      await openExplorer(recorder, `${origin}/explorer`);
      await runOperation(recorder.page, `{ userByUsername(username: "${user.username}") { id username } }`);
      await expect.poll(() => responseText(recorder.page), { timeout: 30_000 }).toContain(`"username": "${user.username}"`);
      expect(await responseText(recorder.page)).toContain(`"id": "${user.id}"`);
      // The schema came through introspection, so the docs explorer knows the API's types.
      await recorder.page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
      await expect.poll(() => recorder.page.locator('.graphiql-doc-explorer').innerText(), { timeout: 10_000 }).toContain('Query');
      await screenshot(recorder.page, 'explorer-query');

      expect(foreign(recorder.urls, origin)).toEqual([]);
      // The bundle, its stylesheet and Monaco's workers all came from the gateway.
      expect(recorder.urls.some((url) => /\/explorer\/assets\/explorer-[A-Z0-9]+\.js$/.test(url))).toBe(true);
      expect(recorder.urls.some((url) => /\/explorer\/assets\/explorer-[A-Z0-9]+\.css$/.test(url))).toBe(true);
      expect(recorder.urls.some((url) => /\/explorer\/assets\/graphql\.worker-[A-Z0-9]+\.js$/.test(url))).toBe(true);
      expect(recorder.urls.filter((url) => url === plaza.url).length).toBeGreaterThanOrEqual(2);
      expect(recorder.errors).toEqual([]);
    } finally {
      await recorder.context.close();
    }
  });

  it('sends the Authorization header from the headers editor with the query', async () => {
    const user = await registerUser(plaza.client(), { prefix: 'xh' });
    const recorder = await openRecorder(origin);
    const authorizations: (string | undefined)[] = [];
    recorder.page.on('request', (request) => {
      if (request.url() === plaza.url && request.method() === 'POST' && !request.postData()?.includes('IntrospectionQuery')) {
        authorizations.push(request.headers().authorization);
      }
    });
    try {
      await openExplorer(recorder, `${origin}/explorer`);
      await runOperation(recorder.page, '{ viewer { id username } }', JSON.stringify({ Authorization: `Bearer ${user.accessToken}` }));
      await expect.poll(() => responseText(recorder.page), { timeout: 30_000 }).toContain(`"username": "${user.username}"`);
      await screenshot(recorder.page, 'explorer-headers');
      expect(authorizations).toEqual([`Bearer ${user.accessToken}`]);
      expect(foreign(recorder.urls, origin)).toEqual([]);
    } finally {
      await recorder.context.close();
    }
  });

  it("sends subscriptions over graphql-ws to the gateway's own origin, signed in with the headers editor's Authorization", async () => {
    const user = await registerUser(plaza.client(), { prefix: 'xs' });
    const recorder = await openRecorder(origin);
    const sent: string[] = [];
    const received: string[] = [];
    recorder.page.on('websocket', (ws) => {
      ws.on('framesent', (frame) => sent.push(String(frame.payload)));
      ws.on('framereceived', (frame) => received.push(String(frame.payload)));
    });
    try {
      await openExplorer(recorder, `${origin}/explorer`);
      await runOperation(recorder.page, 'subscription Watch { __typename }', JSON.stringify({ Authorization: `Bearer ${user.accessToken}` }));
      await expect.poll(() => received.filter((frame) => !frame.includes('connection_ack')).length, { timeout: 30_000 }).toBeGreaterThan(0);

      expect(recorder.urls).toContain(plaza.wsUrl);
      const init = JSON.parse(sent[0] ?? '{}') as { type?: string; payload?: Record<string, unknown> };
      expect(init).toMatchObject({ type: 'connection_init', payload: { Authorization: `Bearer ${user.accessToken}` } });
      expect(received[0]).toContain('connection_ack');
      // Whatever the gateway answered to the operation is what the response pane shows.
      const answer = JSON.parse(received[1] ?? '{}') as { type: string; payload: { message: string }[] | { errors?: { message: string }[] } };
      const message = Array.isArray(answer.payload) ? answer.payload[0]?.message : answer.payload.errors?.[0]?.message;
      expect(message).toBeTruthy();
      // As the pane shows it: a JSON string (quotes escaped), compared without whitespace
      // because long lines wrap.
      const squash = (text: string) => text.replace(/\s+/g, '');
      await expect
        .poll(async () => squash(await responseText(recorder.page)), { timeout: 10_000 })
        .toContain(squash(JSON.stringify(String(message)).slice(1, -1)));
      expect(foreign(recorder.urls, origin)).toEqual([]);
    } finally {
      await recorder.context.close();
    }
  });

  it('falls back from the landing page to the explorer when the CDN refuses Sandbox', async () => {
    const recorder = await openRecorder(origin);
    try {
      await recorder.page.goto(plaza.url);
      // reason=error: the refused script was noticed at once, not by the 4 s timer.
      await recorder.page.waitForURL(`${origin}/explorer?from=sandbox&reason=error`, { waitUntil: 'commit', timeout: 10_000 });
      await recorder.page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
      await screenshot(recorder.page, 'landing-fallback-error');
      // Requests for elsewhere: only Apollo's landing page trying its CDN (and Google Fonts).
      const hosts = new Set(foreign(recorder.urls, origin).map((url) => new URL(url).hostname));
      expect(hosts).toContain('embeddable-sandbox.cdn.apollographql.com');
      for (const host of hosts) expect(host).toMatch(/(\.apollographql\.com|^fonts\.googleapis\.com|^fonts\.gstatic\.com)$/);
      expect(recorder.urls).toContain(`${origin}/explorer/sandbox-fallback.js`);
    } finally {
      await recorder.context.close();
    }
  });

  it('falls back from the landing page to the explorer within seconds when the CDN never answers', async () => {
    const recorder = await openRecorder(origin, { hangExternal: true });
    try {
      const started = Date.now();
      await recorder.page.goto(plaza.url, { waitUntil: 'commit' });
      await recorder.page.waitForURL(`${origin}/explorer?from=sandbox&reason=timeout`, { waitUntil: 'commit', timeout: 20_000 });
      const switchedMs = Date.now() - started;
      await recorder.page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
      // Not before the 4 s that Sandbox's script is given (measured here: the switch began
      // 4.2 s after navigating, the timeout plus fetching the landing page and its script).
      expect(switchedMs).toBeGreaterThanOrEqual(4_000);
    } finally {
      await recorder.context.close();
    }
  });

  it('stays on Sandbox when its script loads, with a link to the explorer in a corner', async () => {
    // A stand-in for Sandbox's CDN script that records being started, as the real one would
    // start the Sandbox iframe.
    const recorder = await openRecorder(origin, {
      sandboxScript: 'window.EmbeddedSandbox = function (config) { window.sandboxStarted = config.initialEndpoint; };',
    });
    try {
      await recorder.page.goto(plaza.url);
      const link = recorder.page.locator('#plaza-offline-explorer-link');
      await link.waitFor({ timeout: 30_000 });
      expect(await link.getAttribute('href')).toBe('/explorer');
      expect(await link.innerText()).toBe('Offline explorer');
      // Past the 4 s timeout, the page is still Sandbox's.
      await recorder.page.waitForTimeout(5_000);
      expect(recorder.page.url()).toBe(plaza.url);
      // Apollo's page went on to start Sandbox against the endpoint.
      expect(await recorder.page.evaluate(() => (globalThis as { sandboxStarted?: string }).sandboxStarted)).toBe(plaza.url);
      await link.click();
      await recorder.page.waitForURL(`${origin}/explorer`, { waitUntil: 'commit', timeout: 10_000 });
    } finally {
      await recorder.context.close();
    }
  });
});

/** A schema with a real subscription, which the gateway's supergraph does not have yet. */
const fixtureSchema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { hello: { type: GraphQLString, resolve: () => 'world' } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      countdown: {
        type: new GraphQLNonNull(GraphQLInt),
        args: { from: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: async function* (_source: unknown, args: { from: number }) {
          for (let n = args.from; n >= 0; n -= 1) {
            yield { countdown: n };
            await new Promise((resolve) => setTimeout(resolve, 150));
          }
        },
      },
    },
  }),
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('offline explorer with a subscription-capable server', { timeout: 90_000 }, () => {
  let server: Server;
  let explorer: Explorer;
  let fixtureOrigin: string;
  const connectionParams: (Record<string, unknown> | undefined)[] = [];

  beforeAll(async () => {
    // The gateway's PLAZA_HOME, so the bundle cached by the Plaza above is reused.
    explorer = createExplorer({
      enabled: true,
      graphqlPath: '/graphql',
      home: loadConfig().home,
      logger: createLogger('explorer-fixture', 'warn'),
    });
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (await explorer.handle(req, res)) return;
        if (req.method === 'POST' && req.url === '/graphql') {
          const body = JSON.parse(await readBody(req)) as { query: string; variables?: Record<string, unknown>; operationName?: string };
          const result = await graphql({
            schema: fixtureSchema,
            source: body.query,
            variableValues: body.variables,
            operationName: body.operationName,
          });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
          return;
        }
        res.writeHead(404).end();
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    const wss = new WebSocketServer({ server, path: '/graphql' });
    useServer(
      {
        schema: fixtureSchema,
        // This file's graphql instance, the one that built the schema: vitest may load another
        // copy for graphql-ws, and graphql refuses a schema from "another module or realm".
        parse,
        validate,
        execute,
        subscribe,
        onConnect: (ctx) => {
          connectionParams.push(ctx.connectionParams);
          return true;
        },
      },
      wss,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fixtureOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await explorer?.close();
  });

  it('streams every event of a subscription into the response pane, with the Authorization as connection params', async () => {
    const recorder = await openRecorder(fixtureOrigin);
    const received: string[] = [];
    recorder.page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    try {
      await openExplorer(recorder, `${fixtureOrigin}/explorer`);
      await runOperation(recorder.page, 'subscription { countdown(from: 3) }', '{ "Authorization": "Bearer fixture-token" }');
      // GraphiQL shows the latest event; 0 is the last one, after 3, 2 and 1.
      await expect.poll(() => responseText(recorder.page), { timeout: 30_000 }).toContain('"countdown": 0');
      await screenshot(recorder.page, 'explorer-subscription');
      await expect.poll(() => received.some((frame) => frame.includes('"complete"')), { timeout: 5_000 }).toBe(true);
      const events = received.map((frame) => JSON.parse(frame) as { type: string; payload?: { data?: { countdown: number } } });
      expect(events.filter((e) => e.type === 'next').map((e) => e.payload?.data?.countdown)).toEqual([3, 2, 1, 0]);
      expect(events.at(-1)?.type).toBe('complete');
      expect(connectionParams.at(-1)).toEqual({ Authorization: 'Bearer fixture-token' });
      expect(foreign(recorder.urls, fixtureOrigin)).toEqual([]);
      expect(recorder.errors).toEqual([]);
    } finally {
      await recorder.context.close();
    }
  });
});
