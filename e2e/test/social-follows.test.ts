import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type DecodedEvent } from '@plaza/events';
import { errorCode, registerUser, startPlaza, testPool, watchEvents, type EventWatcher, type Plaza, type TestUser } from '../src/index.js';
import type { Connection } from './content-fixtures.js';
import { allPages, eventually, FOLLOW, socialKnowsUsers, UNFOLLOW, userCounters, type UserSocialShape } from './social-fixtures.js';

let plaza: Plaza;
let follows: EventWatcher;
const pool = testPool();

beforeAll(async () => {
  follows = await watchEvents(TOPICS.follows);
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.close();
  await follows?.stop();
  await pool.end();
});

/** Fresh users that social already knows of. */
async function users(n: number): Promise<TestUser[]> {
  const list = await Promise.all(Array.from({ length: n }, () => registerUser(plaza.client(), { prefix: 'sf' })));
  await socialKnowsUsers(pool, list.map((u) => u.id));
  return list;
}

const follow = async (who: TestUser, whom: TestUser) => (await who.client.ok<{ follow: UserSocialShape }>(FOLLOW, { id: whom.id })).follow;
const unfollow = async (who: TestUser, whom: TestUser) => (await who.client.ok<{ unfollow: UserSocialShape }>(UNFOLLOW, { id: whom.id })).unfollow;

type ListName = 'followers' | 'following' | 'friends';
const LIST = (name: ListName) => `query($id: ID!, $first: Int, $after: String) { user(id: $id) {
  ${name}(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
} }`;

async function list(reader: TestUser, of: TestUser, name: ListName, first = 20): Promise<string[]> {
  const nodes = await allPages(async (after) => {
    const data = await reader.client.ok<{ user: Record<ListName, Connection<{ id: string }>> }>(LIST(name), { id: of.id, first, after });
    return data.user[name];
  });
  return nodes.map((n) => n.id);
}

describe('the follow graph', () => {
  it('counts a follow once however often it is made, and the answer already shows it', async () => {
    const [alice, bob, reader] = await users(3);
    const first = await follow(alice!, bob!);
    expect(first).toMatchObject({ id: bob!.id, followerCount: 1, viewerIsFollowing: true, isFollowingViewer: false });
    const again = await follow(alice!, bob!);
    expect(again).toMatchObject({ followerCount: 1, viewerIsFollowing: true });

    // Everyone else sees the counts once the counter pipeline has applied the event.
    await eventually(() => userCounters(reader!.client, bob!.id), (u) => u.followerCount === 1);
    await eventually(() => userCounters(reader!.client, alice!.id), (u) => u.followingCount === 1);
    expect(await list(reader!, bob!, 'followers')).toEqual([alice!.id]);
    expect(await list(reader!, alice!, 'following')).toEqual([bob!.id]);
  });

  it('unfollows idempotently; unfollowing someone not followed changes nothing', async () => {
    const [alice, bob, reader] = await users(3);
    expect(await unfollow(alice!, bob!)).toMatchObject({ followerCount: 0, viewerIsFollowing: false });
    await follow(alice!, bob!);
    expect(await unfollow(alice!, bob!)).toMatchObject({ followerCount: 0, viewerIsFollowing: false });
    expect(await unfollow(alice!, bob!)).toMatchObject({ followerCount: 0 });
    await eventually(() => userCounters(reader!.client, alice!.id), (u) => u.followingCount === 0);
    // The follow and the unfollow both went through the pipeline: the durable count is back at 0.
    const { rows } = await pool.query<{ followers: number }>('select followers from social.user_counters where user_id = $1', [bob!.id]);
    expect(rows[0]?.followers ?? 0).toBe(0);
    expect(await list(reader!, bob!, 'followers')).toEqual([]);
  });

  it('refuses to follow yourself, unknown users, malformed ids and anonymous callers with the right codes', async () => {
    const [alice] = await users(1);
    const self = await alice!.client.request(FOLLOW, { id: alice!.id });
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    const unknown = await alice!.client.request(FOLLOW, { id: '0190a3c4-0000-7000-8000-000000000000' });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const malformed = await alice!.client.request(UNFOLLOW, { id: 'not-an-id' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    const anonymous = await plaza.client().request(FOLLOW, { id: alice!.id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('makes friends of mutual follows, most recently mutual first, and unmakes them on unfollow', async () => {
    const [me, early, late, oneWay] = await users(4);
    await follow(me!, early!);
    await follow(me!, late!);
    await follow(me!, oneWay!);
    await follow(early!, me!);
    await follow(late!, me!);
    expect(await list(me!, me!, 'friends')).toEqual([late!.id, early!.id]);
    expect(await list(me!, early!, 'friends')).toEqual([me!.id]);
    const relation = await userCounters(me!.client, late!.id);
    expect(relation).toMatchObject({ viewerIsFollowing: true, isFollowingViewer: true });

    await unfollow(late!, me!);
    expect(await list(me!, me!, 'friends')).toEqual([early!.id]);
    expect(await list(me!, late!, 'friends')).toEqual([]);
  });

  it('makes two users who follow each other at the same moment friends', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await users(2);
      await Promise.all([follow(a!, b!), follow(b!, a!)]);
      expect(await list(a!, a!, 'friends')).toEqual([b!.id]);
      expect(await list(a!, b!, 'friends')).toEqual([a!.id]);
    }
  });

  it('lists followers and followings newest first, paging with cursors without gaps or repeats', async () => {
    const [star, ...fans] = await users(6);
    for (const fan of fans) await follow(fan, star!);
    const expected = fans.map((f) => f.id).reverse();
    expect(await list(star!, star!, 'followers', 2)).toEqual(expected);
    expect(await list(star!, star!, 'followers', 100)).toEqual(expected);
    const bad = await star!.client.request(LIST('followers'), { id: star!.id, first: 101 });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const badCursor = await star!.client.request(LIST('followers'), { id: star!.id, after: 'bm90IGEgY3Vyc29y' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // A cursor of one list is refused by another.
    const page = await star!.client.ok<{ user: Record<ListName, Connection<{ id: string }>> }>(LIST('followers'), { id: star!.id, first: 1 });
    const crossed = await star!.client.request(LIST('following'), { id: star!.id, after: page.user.followers.pageInfo.endCursor });
    expect(crossed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('keeps counts exact through a burst of concurrent follows, unfollows and repeats', async () => {
    const [star, reader, ...fans] = await users(12);
    // Every fan follows twice at once; the first four then unfollow (twice, at once).
    await Promise.all(fans.flatMap((fan) => [follow(fan, star!), follow(fan, star!)]));
    await Promise.all(fans.slice(0, 4).flatMap((fan) => [unfollow(fan, star!), unfollow(fan, star!)]));
    const settled = await eventually(() => userCounters(reader!.client, star!.id), (u) => u.followerCount === 6);
    expect(settled.followerCount).toBe(6);
    expect((await list(reader!, star!, 'followers', 100)).sort()).toEqual(fans.slice(4).map((f) => f.id).sort());
  });

  it('publishes user.followed and user.unfollowed through the outbox, keyed by the follower', async () => {
    const [alice, bob] = await users(2);
    await follow(alice!, bob!);
    await follow(alice!, bob!);
    await unfollow(alice!, bob!);
    const of = (type: string) => (e: DecodedEvent) => e.type === type && e.envelope.key === alice!.id;
    const followed = await follows.waitFor(of('user.followed'));
    expect(followed.envelope).toMatchObject({ source: 'social', version: 1, key: alice!.id });
    expect(followed.envelope.data).toMatchObject({ followerId: alice!.id, followeeId: bob!.id });
    await follows.waitFor(of('user.unfollowed'));
    // The repeated follow changed nothing, so it published nothing.
    expect(follows.seen().filter(of('user.followed'))).toHaveLength(1);
  });
});
