import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, type Plaza } from '../src/index.js';

/**
 * The gateway in differential mode: every operation runs through Apollo's executor and Plaza's,
 * and any difference is reported (here, to a file). Mutations run once: Plaza's run replays the
 * subgraph answers Apollo's run recorded. The whole end-to-end suite can run this way too:
 * GATEWAY_EXECUTOR=differential GATEWAY_DIFFERENTIAL_REPORT=<file>.
 */
const report = join(mkdtempSync(join(tmpdir(), 'plaza-diff-')), 'differences.jsonl');
let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza({ gatewayEnv: { GATEWAY_EXECUTOR: 'differential', GATEWAY_DIFFERENTIAL_REPORT: report } });
});
afterAll(async () => {
  await plaza?.close();
});

const POST = `id title body tags { name } status isAnonymous author { id username displayName postCount } viewerIsAuthor commentCount`;

describe('the gateway in differential mode', () => {
  it('finds no difference between the executors on real operations, mutations included', async () => {
    const alice = await registerUser(plaza.client(), { displayName: 'Alice D' });
    const bob = await registerUser(plaza.client());
    const created = await alice.client.ok<{ createPost: { id: string } }>(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ${POST} } }`,
      { input: { title: 'Differential', body: 'compared twice, written once', tags: ['diff', 'gateway'] } },
    );
    const postId = created.createPost.id;
    await alice.client.ok(`mutation($id: ID!) { publishPost(id: $id) { ${POST} } }`, { id: postId });
    const root = await bob.client.ok<{ addComment: { id: string } }>(
      'mutation($input: AddCommentInput!) { addComment(input: $input) { id body author { id username } post { id title author { username } } } }',
      { input: { postId, body: 'first' } },
    );
    await alice.client.ok('mutation($input: AddCommentInput!) { addComment(input: $input) { id parent { id } } }', {
      input: { postId, body: 'reply', parentId: root.addComment.id },
    });
    // The post page: post, author, comment threads with their authors and replies.
    const page = await bob.client.ok<{ post: { commentCount: number } }>(
      `query($id: ID!, $withReplies: Boolean!) {
        post(id: $id) {
          ${POST}
          comments(first: 10) { edges { node { id body author { id displayName } replies @include(if: $withReplies) { edges { node { id body author { username } } } } } } }
        }
      }`,
      { id: postId, withReplies: true },
    );
    expect(page.post.commentCount).toBe(2);
    await bob.client.ok(`query($u: ID!) { user(id: $u) { id username displayName postCount posts(first: 5) { edges { node { id title tags { name } } } } } }`, {
      u: alice.id,
    });
    await plaza.client().ok(`query($tag: String) { posts(first: 5, tag: $tag) { edges { node { id title author { username } } } pageInfo { hasNextPage } } }`, {
      tag: 'diff',
    });
    // Errors: a bad id, an unauthenticated mutation, a missing post.
    await plaza.client().request('{ user(id: "not-an-id") { id } }');
    await plaza.client().request('mutation { createPost(input: { title: "t", body: "b" }) { id } }');
    await plaza.client().request('{ post(id: "00000000-0000-7000-8000-000000000000") { id author { id } } viewer { id } }');
    expect(existsSync(report) ? readFileSync(report, 'utf8') : '').toBe('');
  });
});
