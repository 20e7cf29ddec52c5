import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundDedup, type RawBodyRequest } from '../src/inbound-dedup.js';

/** The middleware in front of a slow handler that counts what it runs and answers with a sequence number. */
let server: Server;
let url: string;
let runs = 0;
const dedup = inboundDedup();
beforeAll(async () => {
  const app = express();
  app.use(express.json({ verify: (req, _res, raw) => ((req as RawBodyRequest).rawBody = raw) }), dedup.middleware);
  app.post('/graphql', (req, res) => {
    const n = ++runs;
    setTimeout(() => {
      if ((req.body as { query: string }).query.includes('stream')) {
        res.write('{"part":');
        res.end(`${n}}`);
        return;
      }
      res.setHeader('x-run', String(n));
      res.json({ data: { n, auth: req.headers.authorization ?? null } });
    }, 60);
  });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, run: res.headers.get('x-run'), text: await res.text() };
}

describe('inbound de-duplication at the HTTP layer', () => {
  it('answers identical in-flight queries with one run: same status, headers and bytes', async () => {
    const before = { runs, ...dedup.stats() };
    const answers = await Promise.all(Array.from({ length: 6 }, () => post({ query: '{ a }' }, { authorization: 'Bearer x' })));
    expect(runs - before.runs).toBe(1);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(new Set(answers.map((a) => a.run)).size).toBe(1);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(dedup.stats().shared - before.shared).toBe(5);
  });

  it('never shares across Authorization, variables or operation names, and runs again once the first has answered', async () => {
    const start = runs;
    const answers = await Promise.all([
      post({ query: '{ a }' }, { authorization: 'Bearer x' }),
      post({ query: '{ a }' }, { authorization: 'Bearer y' }),
      post({ query: '{ a }' }),
      post({ query: 'query Q($v: Int) { a(v: $v) }', variables: { v: 1 } }),
      post({ query: 'query Q($v: Int) { a(v: $v) }', variables: { v: 2 } }),
      post({ query: 'query A { a } query B { b }', operationName: 'A' }),
      post({ query: 'query A { a } query B { b }', operationName: 'B' }),
    ]);
    expect(runs - start).toBe(7);
    expect(answers.map((a) => JSON.parse(a.text) as { data: { auth: string | null } }).slice(0, 3).map((a) => a.data.auth)).toEqual(['Bearer x', 'Bearer y', null]);
    await post({ query: '{ a }' });
    expect(runs - start).toBe(8);
  });

  it('runs every mutation, every invalid document and every streamed answer on its own', async () => {
    const start = runs;
    await Promise.all(Array.from({ length: 3 }, () => post({ query: 'mutation { like }' })));
    expect(runs - start).toBe(3);
    await Promise.all(Array.from({ length: 3 }, () => post({ query: '{ broken' })));
    expect(runs - start).toBe(6);
    // The first streams (write + end): the others cannot take its answer and run themselves.
    const streamed = await Promise.all(Array.from({ length: 3 }, () => post({ query: '{ stream }' })));
    expect(runs - start).toBe(9);
    expect(new Set(streamed.map((s) => s.text)).size).toBe(3);
  });
});
