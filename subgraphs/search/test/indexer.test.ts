import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, runMigrations, type ConsumedEvent, type Pool } from '@plaza/common';
import { createEvent, type EventData, type EventType } from '@plaza/events';
import { createTextAnalyzer } from '../src/analysis/index.js';
import { INDEX_TABLE_NAMES, type IndexTables } from '../src/index-tables.js';
import { createIndexer, type Indexer } from '../src/indexer.js';
import { createSearchStore, POST_CANDIDATES, type SearchHit, type SearchPosition } from '../src/store.js';

/**
 * The indexer against the real Postgres, on copies of the index tables in a schema of this test
 * run's own (so nothing else's index is touched): versions, tombstones, counts once per event,
 * tags and suggestion terms following the posts.
 */
let pool: Pool;
let indexer: Indexer;
let tables: IndexTables;
let schema: string;
const analyzer = createTextAnalyzer();
let offset = 0n;

beforeAll(async () => {
  pool = createPool({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza', max: 2, name: 'plaza-search-test' });
  await runMigrations(pool, { schema: 'search', migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)) });
  schema = `search_test_${randomBytes(4).toString('hex')}`;
  await pool.query(`create schema "${schema}"`);
  const out = {} as Record<keyof IndexTables, string>;
  for (const [role, name] of Object.entries(INDEX_TABLE_NAMES) as [keyof IndexTables, string][]) {
    await pool.query(`create table "${schema}"."${name}" (like search."${name}" including all)`);
    out[role] = `"${schema}"."${name}"`;
  }
  tables = out;
  indexer = createIndexer({ analyzer, tables, swappable: false });
});

afterAll(async () => {
  if (schema) await pool?.query(`drop schema if exists "${schema}" cascade`);
  await pool?.end();
});

function consumed<T extends EventType>(type: T, data: EventData<T>, id?: string): ConsumedEvent {
  const event = createEvent(type, data, { source: 'test' });
  offset += 1n;
  const envelope = id ? { ...event.envelope, id } : event.envelope;
  return { known: true, type, envelope, topic: event.topic, partition: 0, offset } as ConsumedEvent;
}

async function apply(...events: ConsumedEvent[]): Promise<void> {
  await drizzle(pool).transaction((tx) => indexer.apply(tx, events));
}

function post(overrides: Partial<EventData<'post.published'>> & { at: string }): EventData<'post.published'> {
  const { at, ...rest } = overrides;
  return {
    postId: randomUUID(),
    authorId: randomUUID(),
    anonymous: false,
    status: 'PUBLISHED',
    visibility: 'PUBLIC',
    title: '网关服务上线',
    body: '今天上线了',
    tags: [],
    mediaUrls: [],
    createdAt: at,
    updatedAt: at,
    publishedAt: at,
    ...rest,
  };
}

const row = async (postId: string) =>
  (await pool.query(`select * from ${tables.posts} where post_id = $1`, [postId])).rows[0] as Record<string, unknown> | undefined;

describe('the indexer', () => {
  it('indexes a public post and keeps an older event from undoing a newer one', async () => {
    const p = post({ at: '2026-01-01T00:00:00.000Z', title: 'first title' });
    await apply(consumed('post.published', p));
    await apply(consumed('post.updated', { ...p, title: 'second title', updatedAt: '2026-01-02T00:00:00.000Z', changed: ['title'] }));
    // The first event again (a relay retry), after the update.
    await apply(consumed('post.published', p));
    expect(await row(p.postId)).toMatchObject({ title: 'second title', searchable: true });
  });

  it('turns a deleted post into a tombstone that a replayed publish cannot bring back', async () => {
    const p = post({ at: '2026-01-01T00:00:00.000Z', tags: ['tombstone'] });
    await apply(consumed('post.published', p));
    await apply(consumed('post.deleted', { postId: p.postId, authorId: p.authorId, anonymous: false, deletedAt: '2026-01-03T00:00:00.000Z' }));
    await apply(consumed('post.published', p));
    expect(await row(p.postId)).toMatchObject({ title: '', body: '', searchable: false, vector: '' });
  });

  it('stores no author for an anonymous post and does not index private ones', async () => {
    const anonymous = post({ at: '2026-01-01T00:00:00.000Z', anonymous: true, authorId: null });
    const secret = post({ at: '2026-01-01T00:00:00.000Z', visibility: 'PRIVATE', title: 'secret words' });
    await apply(consumed('post.published', anonymous), consumed('post.published', secret));
    expect(await row(anonymous.postId)).toMatchObject({ author_id: null, searchable: true });
    expect(await row(secret.postId)).toMatchObject({ title: '', searchable: false });
  });

  it('counts each like, comment and follow once, whatever arrives first and however often', async () => {
    const p = post({ at: '2026-01-01T00:00:00.000Z' });
    const userId = randomUUID();
    const like = consumed('post.liked', { postId: p.postId, userId, at: '2026-01-01T00:00:00.000Z' });
    // A like before the post is seen, then the post, then the same like again.
    await apply(like);
    await apply(consumed('post.published', p));
    await apply(like);
    await apply(
      consumed('post.liked', { postId: p.postId, userId: randomUUID(), at: '2026-01-01T00:00:00.000Z' }),
      consumed('comment.added', {
        commentId: randomUUID(), postId: p.postId, rootId: null, parentId: null, authorId: userId, anonymous: false, pseudonym: null, body: 'hi', createdAt: '2026-01-01T00:00:00.000Z',
      }),
    );
    expect(await row(p.postId)).toMatchObject({ likes: 2, comments: 1 });
    await apply(consumed('post.unliked', { postId: p.postId, userId, at: '2026-01-02T00:00:00.000Z' }));
    expect(await row(p.postId)).toMatchObject({ likes: 1 });

    const followee = randomUUID();
    await apply(consumed('user.registered', { userId: followee, username: `u${randomBytes(4).toString('hex')}`, displayName: 'Someone', bio: '', avatarUrl: null, createdAt: '2026-01-01T00:00:00.000Z' }));
    const follow = consumed('user.followed', { followerId: userId, followeeId: followee, at: '2026-01-01T00:00:00.000Z' });
    await apply(follow, follow);
    const { rows } = await pool.query(`select followers from ${tables.users} where user_id = $1`, [followee]);
    expect(rows[0]).toEqual({ followers: 1 });
  });

  it('counts a like whose chunk runs while its post is being indexed, whichever transaction starts first', async () => {
    // Chunks of different topics (posts, reactions) are applied concurrently by the consumer.
    const concurrently = async (first: ConsumedEvent, second: ConsumedEvent) => {
      let secondDone = false;
      let applying: Promise<void> | undefined;
      await drizzle(pool).transaction(async (tx) => {
        await indexer.apply(tx, [first]);
        applying = apply(second).then(() => {
          secondDone = true;
        });
        await new Promise((r) => setTimeout(r, 300));
        // The second chunk waits for the first's count locks: it neither misses the first's
        // uncommitted post row nor hides its own count from it.
        expect(secondDone).toBe(false);
      });
      await applying;
    };
    const at = '2026-03-01T00:00:00.000Z';
    const a = post({ at });
    await concurrently(consumed('post.published', a), consumed('post.liked', { postId: a.postId, userId: randomUUID(), at }));
    expect(await row(a.postId)).toMatchObject({ likes: 1 });
    const b = post({ at });
    await concurrently(consumed('post.liked', { postId: b.postId, userId: randomUUID(), at }), consumed('post.published', b));
    expect(await row(b.postId)).toMatchObject({ likes: 1 });
  });

  it('keeps tag counts and suggestion terms in step with posts as they change', async () => {
    const tag = `t${randomBytes(4).toString('hex')}`;
    const word = `w${randomBytes(4).toString('hex')}`;
    const a = post({ at: '2026-01-01T00:00:00.000Z', title: `${word} 网关`, tags: [tag] });
    const b = post({ at: '2026-01-01T00:00:00.000Z', title: `${word} 服务`, tags: [tag] });
    await apply(consumed('post.published', a), consumed('post.published', b));
    const counts = async () => ({
      tag: (await pool.query(`select post_count from ${tables.tags} where name = $1`, [tag])).rows[0] as unknown,
      word: (await pool.query(`select refs from ${tables.terms} where key = $1`, [word])).rows[0] as unknown,
    });
    expect(await counts()).toEqual({ tag: { post_count: 2 }, word: { refs: 2 } });
    await apply(consumed('post.updated', { ...a, tags: [], title: '换了标题', updatedAt: '2026-01-02T00:00:00.000Z', changed: ['title', 'tags'] }));
    expect(await counts()).toEqual({ tag: { post_count: 1 }, word: { refs: 1 } });
    await apply(consumed('post.updated', { ...b, visibility: 'PRIVATE', updatedAt: '2026-01-02T00:00:00.000Z', changed: ['visibility'] }));
    expect(await counts()).toEqual({ tag: { post_count: 0 }, word: { refs: 0 } });
    const store = createSearchStore(pool, tables);
    expect(await store.suggest({ prefix: word, pinyin: null, limit: 10 })).toEqual([]);
  });

  it('keys suggestion terms with their pinyin and initials', async () => {
    const p = post({ at: '2026-01-01T00:00:00.000Z', tags: ['网关'] });
    await apply(consumed('post.published', p));
    const { rows } = await pool.query(`select pinyin, initials from ${tables.terms} where key = '网关'`);
    expect(rows[0]).toEqual({ pinyin: 'wangguan', initials: 'wg' });
    const store = createSearchStore(pool, tables);
    expect(await store.suggest({ prefix: 'wangg', pinyin: 'wangg', limit: 10 })).toContain('网关');
    expect(await store.suggest({ prefix: 'wg', pinyin: 'wg', limit: 10 })).toContain('网关');
  });

  it('keeps popularity × recency in rank_key, and ranks a broad query among its best candidates', async () => {
    const word = `broad${randomBytes(4).toString('hex')}`;
    const day = 86_400_000;
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    // More matching posts than a search ranks by text: one a day, the newest last.
    const posts = Array.from({ length: POST_CANDIDATES + 40 }, (_, i) =>
      post({ at: new Date(start + i * day).toISOString(), title: `第${i}篇`, body: `日记 ${word}` }),
    );
    for (let i = 0; i < posts.length; i += 500) await apply(...posts.slice(i, i + 500).map((p) => consumed('post.published', p)));
    // The oldest post becomes popular: 50 likes lift it by log2(1 + 0.25 ln 51) ≈ 0.9 half-lives.
    const popular = posts[0]!;
    const keyBefore = Number((await row(popular.postId))?.rank_key);
    await apply(...Array.from({ length: 50 }, () => consumed('post.liked', { postId: popular.postId, userId: randomUUID(), at: '2026-06-01T00:00:00.000Z' })));
    const keyAfter = Number((await row(popular.postId))?.rank_key);
    expect(keyAfter - keyBefore).toBeCloseTo(Math.log2(1 + 0.25 * Math.log(51)), 6);
    // Another old post gets ten times the likes: log2(1 + 0.25 ln 501) ≈ 1.35 half-lives (40 days)
    // lift it past the 39 posts published right after it, into the candidates; the oldest stay out.
    const favourite = posts[1]!;
    await apply(...Array.from({ length: 500 }, () => consumed('post.liked', { postId: favourite.postId, userId: randomUUID(), at: '2026-06-01T00:00:00.000Z' })));

    const store = createSearchStore(pool, tables);
    const tsquery = analyzer.parseQuery(word).tsquery!;
    const asOf = new Date(start + posts.length * day);
    const seen: SearchHit[] = [];
    let after: SearchPosition | null = null;
    for (;;) {
      const hits = await store.search({ tsquery, proximity: null, types: ['POST'], limit: 101, after, asOf });
      seen.push(...hits.slice(0, 100));
      if (hits.length <= 100) break;
      const last = hits[99]!;
      after = { score: last.score, type: last.type, id: last.id, asOf };
    }
    const ids = seen.map((h) => h.id);
    // Pages continue within the candidates: each once, as many as are ranked.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(POST_CANDIDATES);
    // The candidates are the best by popularity × recency: the newest posts and the favourite.
    expect(ids).toContain(favourite.postId);
    expect(ids).toContain(posts.at(-1)!.postId);
    expect(ids).not.toContain(posts[2]!.postId);
  });
});
