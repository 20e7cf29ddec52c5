import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../src/index.js';
import { createPost, DELETE_POST } from './content-fixtures.js';
import { postIds, searchRequest, uniqueWord, waitForPost } from './search-fixtures.js';

/**
 * `npm run search:reindex` rebuilds the index from the topics into new tables and swaps them in
 * while searches go on: no search fails or misses a post during the rebuild, and the live
 * consumer carries on with the new tables afterwards.
 */
let plaza: Plaza;
let pool: pg.Pool;
let author: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  pool = testPool();
  author = await registerUser(plaza.client());
});

afterAll(async () => {
  await pool?.end();
  await plaza?.close();
});

/** Runs the documented command (the search package's `reindex` script) and returns its output. */
function runReindex(): Promise<{ code: number | null; out: string }> {
  const folder = join(import.meta.dirname, '..', '..', 'subgraphs', 'search');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/reindex-command.ts'], {
      cwd: folder,
      env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_GROUP_PREFIX: `plaza-e2e-reindex-${Date.now()}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('reindex', () => {
  it('rebuilds the index into new tables and swaps them in without a failed or partial search', async () => {
    const w = uniqueWord();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createPost(author.client, { title: `${w} 网关 ${i}`, body: '重建索引' })).id);
    for (const id of ids) await waitForPost(plaza.client(), w, id, true);
    const { rows: before } = await pool.query<{ generation: number }>(`select generation from search.index_state where name = 'index'`);

    // Searches all along the rebuild and the swap.
    const problems: string[] = [];
    let searches = 0;
    let running = true;
    const searching = (async () => {
      while (running) {
        const res = await searchRequest(plaza.client(), { query: `${w} 网关`, types: ['POST'] });
        searches += 1;
        if (res.errors !== undefined) problems.push(JSON.stringify(res.errors));
        else if (new Set(postIds(res.data!.search)).size !== ids.length) problems.push(`found ${postIds(res.data!.search).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const result = await runReindex();
    running = false;
    await searching;

    expect(result.out).toMatch(/search reindex: generation \d+: \d+ events → \d+ posts/);
    expect(result.code).toBe(0);
    expect(problems).toEqual([]);
    expect(searches).toBeGreaterThan(10);
    const { rows: after } = await pool.query<{ generation: number }>(`select generation from search.index_state where name = 'index'`);
    expect(after[0]?.generation).toBe((before[0]?.generation ?? 0) + 1);
    // No copy is left behind, and the live tables kept their index names.
    const { rows: leftovers } = await pool.query(
      `select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'search' and (relname like '%_rebuild%' or relname like '%_retired%')`,
    );
    expect(leftovers).toEqual([]);
    const { rows: indexes } = await pool.query(`select indexname from pg_indexes where schemaname = 'search' and tablename = 'posts' order by 1`);
    expect(indexes.map((r: { indexname: string }) => r.indexname)).toEqual(['posts_pkey', 'posts_rank_key_idx', 'posts_vector_idx']);

    // The live consumer goes on with the new tables.
    const later = (await createPost(author.client, { title: `${w} 网关 later`, body: '之后' })).id;
    await waitForPost(plaza.client(), w, later, true);
    await author.client.ok(DELETE_POST, { id: ids[0] });
    await waitForPost(plaza.client(), w, ids[0]!, false);
  }, 180_000);
});
