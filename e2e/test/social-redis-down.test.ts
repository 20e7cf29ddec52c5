import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, GraphQLClient, registerUser, startPlaza, testPool, waitUntil, type Plaza } from '../src/index.js';
import type { Connection } from './content-fixtures.js';
import { LIKE, postCounters, RECORD_VIEW, socialKnowsUsers, socialPost, TRENDING } from './social-fixtures.js';

/**
 * Social with its Redis unreachable: reads are answered from Postgres (slower, never different),
 * a view cannot be deduplicated and is not counted, and signed-in requests fail closed (the token
 * denylist is in Redis). A working Plaza seeds the data; a second one, whose social subgraph points
 * at a Redis that does not answer, is read through its gateway.
 */
let plaza: Plaza;
let broken: Plaza;
const pool = testPool();

beforeAll(async () => {
  plaza = await startPlaza();
  broken = await startPlaza({ subgraphEnv: { social: { REDIS_URL: 'redis://127.0.0.1:1', SOCIAL_WORKERS: 'false' } } });
});
afterAll(async () => {
  await broken?.close();
  await plaza?.close();
  await pool.end();
});

describe('social without Redis', () => {
  it('answers counts and the hot list from Postgres, and counts no view it cannot deduplicate', async () => {
    const [author, ...fans] = await Promise.all(Array.from({ length: 4 }, () => registerUser(plaza.client(), { prefix: 'sz' })));
    await socialKnowsUsers(pool, [author!.id, ...fans.map((f) => f.id)]);
    const post = await socialPost(author!.client, pool, { title: 'no redis' });
    for (const fan of fans) await fan.client.ok(LIKE, { id: post.id });
    await new GraphQLClient(plaza.url, undefined, '10.94.0.1').ok(RECORD_VIEW, { id: post.id });
    await waitUntil(async () => {
      const { rows } = await pool.query<{ likes: number; views: number }>('select likes, views::int as views from social.posts where id = $1', [post.id]);
      return rows[0]?.likes === 3 && rows[0]?.views === 1 ? true : undefined;
    }, 20_000);

    const anonymous = broken.client();
    expect(await postCounters(anonymous, post.id)).toMatchObject({ likeCount: 3, viewCount: 1, bookmarkCount: 0, viewerHasLiked: false });
    expect((await postCounters(anonymous, post.id)).hotScore).toBeGreaterThan(0);
    expect((await anonymous.ok<{ recordView: boolean }>(RECORD_VIEW, { id: post.id })).recordView).toBe(false);

    // The hot list, paged by rank straight from Postgres.
    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 50 && !seen.includes(post.id); n++) {
      const page: Connection<{ id: string }> = (await anonymous.ok<{ trending: Connection<{ id: string }> }>(TRENDING, { first: 100, after })).trending;
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toContain(post.id);
    expect(new Set(seen).size).toBe(seen.length);

    // A signed-in request cannot be checked against the revocation list: refused, never let through.
    const late = await registerUser(plaza.client(), { prefix: 'sz' });
    await socialKnowsUsers(pool, [late.id]);
    const refused = await broken.client(late.accessToken).request<{ likePost?: unknown }>(LIKE, { id: post.id });
    expect(refused.data?.likePost).toBeFalsy();
    expect(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']).toContain(errorCode(refused));
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from social.likes where post_id = $1', [post.id]);
    expect(rows[0]?.n).toBe(3);
  });
});
