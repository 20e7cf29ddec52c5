import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, newId, runMigrations, type Pool } from '@plaza/common';
import { createLoaders } from '../src/context.js';
import { createContentStore, type CommentRow, type ContentStore } from '../src/store.js';

/**
 * The replies of a page of roots must come from one SQL query, whatever the number of roots:
 * every statement the store sends through the pool is recorded and counted.
 */
let pool: Pool;
let store: ContentStore;
const statements: string[] = [];

function recordStatements(p: Pool): void {
  const original = p.query.bind(p) as (...args: unknown[]) => unknown;
  const recording = (...args: unknown[]): unknown => {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: unknown }).text;
    statements.push(typeof text === 'string' ? text : '');
    return original(...args);
  };
  p.query = recording as unknown as Pool['query'];
}

beforeAll(async () => {
  pool = createPool({
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza',
    max: 2,
    name: 'plaza-content-test',
  });
  await runMigrations(pool, {
    schema: 'content',
    migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  });
  recordStatements(pool);
  store = createContentStore(pool);
});

afterAll(async () => {
  await pool?.end();
});

/** A published post with `replyCounts.length` roots; root i gets replyCounts[i] replies, 1 ms apart. */
async function seedThreads(replyCounts: readonly number[]): Promise<{ roots: CommentRow[]; replies: Map<string, CommentRow[]> }> {
  const authorId = newId();
  const base = Date.now() - 60_000;
  let tick = 0;
  const at = () => new Date(base + tick++);
  return store.transaction(async (tx) => {
    const post = await store.insertPost(tx, {
      id: newId(),
      authorId,
      title: 'threads',
      body: 'loader test',
      status: 'PUBLISHED',
      // Private: test data stays out of the public lists.
      visibility: 'PRIVATE',
      publishedAt: at(),
    });
    const roots: CommentRow[] = [];
    const replies = new Map<string, CommentRow[]>();
    for (const count of replyCounts) {
      const root = await store.insertComment(tx, {
        id: newId(),
        postId: post.id,
        authorId: newId(),
        body: `root ${roots.length}`,
        createdAt: at(),
      });
      roots.push(root);
      const thread: CommentRow[] = [];
      for (let i = 0; i < count; i++) {
        // Every other reply answers the previous reply: it still joins the root's thread.
        const parentId = i % 2 === 1 ? thread[i - 1]!.id : root.id;
        thread.push(
          await store.insertComment(tx, {
            id: newId(),
            postId: post.id,
            rootId: root.id,
            parentId,
            authorId: newId(),
            body: `reply ${i} to ${root.id}`,
            createdAt: at(),
          }),
        );
      }
      replies.set(root.id, thread);
    }
    return { roots, replies };
  });
}

describe('the replies loader', () => {
  it('loads the first replies of every root of a page with one SQL query using a window function', async () => {
    const counts = [0, 1, 2, 3, 5, 8, 4, 0, 6, 3, 1, 7];
    const { roots, replies } = await seedThreads(counts);
    const loaders = createLoaders(store);
    const perRoot = 4;

    statements.length = 0;
    const loaded = await Promise.all(roots.map((root) => loaders.firstReplies(perRoot).load(root.id)));

    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/row_number\(\) over \(partition by/i);
    roots.forEach((root, i) => {
      const expected = replies.get(root.id)!.slice(0, perRoot).map((r) => r.id);
      expect(loaded[i]!.map((r) => r.id)).toEqual(expected);
      expect(loaded[i]!.every((r) => r.rootId === root.id)).toBe(true);
    });
  });

  it('keeps one loader per page size, each answering its roots with one query', async () => {
    const { roots, replies } = await seedThreads([5, 2, 6]);
    const loaders = createLoaders(store);

    statements.length = 0;
    const [small, large] = await Promise.all([
      Promise.all(roots.map((root) => loaders.firstReplies(2).load(root.id))),
      Promise.all(roots.map((root) => loaders.firstReplies(6).load(root.id))),
    ]);

    expect(statements).toHaveLength(2);
    roots.forEach((root, i) => {
      const thread = replies.get(root.id)!.map((r) => r.id);
      expect(small[i]!.map((r) => r.id)).toEqual(thread.slice(0, 2));
      expect(large[i]!.map((r) => r.id)).toEqual(thread.slice(0, 6));
    });
  });

  it('answers a root without replies with an empty list, not a missing key', async () => {
    const { roots } = await seedThreads([0, 0]);
    const loaders = createLoaders(store);
    const loaded = await Promise.all(roots.map((root) => loaders.firstReplies(3).load(root.id)));
    expect(loaded).toEqual([[], []]);
  });
});
