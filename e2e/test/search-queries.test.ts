import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, registerUser, startPlaza, waitUntil, type Plaza, type TestUser } from '../src/index.js';
import { createPost, expectBadInput } from './content-fixtures.js';
import { postIds, search, searchIds, searchRequest, uniqueWord } from './search-fixtures.js';

/**
 * Queries through the gateway: Chinese (simplified and traditional), English, mixed, phrases,
 * highlights, type filters, pages, and input that must be refused or treated as plain text.
 * Every post carries a word unique to this run, and every query includes it, so other tests'
 * posts never interfere.
 */
let plaza: Plaza;
let author: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  author = await registerUser(plaza.client());
});

afterAll(async () => {
  await plaza?.close();
});

/** Publishes posts and waits until a search for `word` finds every one of them. */
async function publish(posts: { title: string; body?: string; tags?: string[] }[], word: string): Promise<string[]> {
  const ids: string[] = [];
  for (const input of posts) ids.push((await createPost(author.client, { body: '-', ...input })).id);
  await waitUntil(async () => {
    const res = await searchIds(plaza.client(), { query: word, types: ['POST'], first: 100 });
    const found = new Set(res.data ? postIds(res.data.search) : []);
    return ids.every((id) => found.has(id));
  }, 20_000);
  return ids;
}

const find = async (query: string, types?: ('POST' | 'USER' | 'TAG')[]) =>
  postIds(await search(plaza.client(), { query, first: 50, ...(types ? { types } : {}) }));

describe('search queries', () => {
  it('finds Chinese words, simplified and traditional alike, requiring every word', async () => {
    const w = uniqueWord();
    const [simplified, traditional, other] = await publish(
      [
        { title: `${w} 网关服务上线了`, body: '今天在图书馆调试了一整天' },
        { title: `${w} 我們的網關服務`, body: '資料庫備份也做好了' },
        { title: `${w} 食堂的麻辣烫`, body: '二食堂三楼' },
      ],
      w,
    );
    expect(new Set(await find(`${w} 网关`))).toEqual(new Set([simplified, traditional]));
    expect(new Set(await find(`${w} 網關服務`))).toEqual(new Set([simplified, traditional]));
    expect(await find(`${w} 图书馆`)).toEqual([simplified]);
    expect(await find(`${w} 数据库`)).toEqual([traditional]); // 資料庫: the Taiwan word for 数据库
    expect(await find(`${w} 麻辣烫`)).toEqual([other]);
    expect(await find(`${w} 网关 麻辣烫`)).toEqual([]);
  });

  it('finds English words by their stem and mixed Chinese–English queries', async () => {
    const w = uniqueWord();
    const [running, kafka] = await publish(
      [
        { title: `${w} Running my first marathon`, body: 'New running shoes made the difference' },
        { title: `${w} 用Kafka做消息队列`, body: 'consumer groups 和 partitions' },
      ],
      w,
    );
    expect(await find(`${w} runs shoe`)).toEqual([running]);
    expect(await find(`${w} RUNNER`)).toEqual([]);
    expect(await find(`${w} kafka 消息队列`)).toEqual([kafka]);
    expect(await find(`${w} ＫＡＦＫＡ`)).toEqual([kafka]);
    expect(await find(`${w} consumer 队列`)).toEqual([kafka]);
  });

  it('matches quoted phrases only with their words together and in order', async () => {
    const w = uniqueWord();
    const [together, apart] = await publish(
      [
        { title: `${w} machine learning basics`, body: '网关服务上线' },
        { title: `${w} the learning curve of a new machine`, body: '网关上线以后，数据库服务也稳定了' },
      ],
      w,
    );
    expect(new Set(await find(`${w} machine learning`))).toEqual(new Set([together, apart]));
    expect(await find(`${w} "machine learning"`)).toEqual([together]);
    expect(await find(`${w} “网关服务”`)).toEqual([together]);
    expect(await find(`${w} 「数据库服务」`)).toEqual([apart]);
    // Unquoted, the post with the words together ranks first.
    expect((await find(`${w} machine learning`))[0]).toBe(together);
  });

  it('ranks title hits above body hits', async () => {
    const w = uniqueWord();
    const [inBody, inTitle] = await publish(
      [
        { title: `${w} 周末随笔`, body: '今天去看了长江大桥' },
        { title: `${w} 长江大桥`, body: '周末随笔' },
      ],
      w,
    );
    expect(await find(`${w} 长江大桥`)).toEqual([inTitle, inBody]);
  });

  it('highlights every hit in <em> on the text as written, and escapes the rest', async () => {
    const w = uniqueWord();
    await publish([{ title: `${w} <script>alert("x")</script>`, body: `<b>網關</b> & "quotes" ${w} 网关` }], w);
    const result = await search(plaza.client(), { query: `${w} 网关`, types: ['POST'] });
    const highlight = result.edges[0]?.highlight ?? '';
    expect(highlight).toBe(`&lt;b&gt;<em>網關</em>&lt;/b&gt; &amp; &quot;quotes&quot; <em>${w}</em> <em>网关</em>`);
    expect(highlight).not.toMatch(/<(?!\/?em>)/);
    const titleOnly = await search(plaza.client(), { query: `${w} script`, types: ['POST'] });
    expect(titleOnly.edges[0]?.highlight).toBe(`<em>${w}</em> &lt;<em>script</em>&gt;alert(&quot;x&quot;)&lt;/<em>script</em>&gt;`);
  });

  it('keeps a highlight to about 160 characters around the best hits', async () => {
    const w = uniqueWord();
    const filler = '今天天气不错，我们去操场散步，然后回宿舍休息。'.repeat(15);
    await publish([{ title: `${w} 长文`, body: `${filler}网关和数据库都上线了。${filler}` }], w);
    const result = await search(plaza.client(), { query: `${w} 网关 数据库`, types: ['POST'] });
    const highlight = result.edges[0]?.highlight ?? '';
    expect(highlight).toContain('<em>网关</em>和<em>数据库</em>');
    expect(highlight.replace(/<\/?em>/g, '').length).toBeLessThanOrEqual(170);
  });

  it('filters by type, all three by default', async () => {
    const w = uniqueWord();
    const person = await registerUser(plaza.client(), { displayName: `${w} 小红` });
    const [post] = await publish([{ title: `${w} 的帖子`, tags: [w] }], w);
    const all = await search(plaza.client(), { query: w });
    expect(all.edges.map((e) => e.node.__typename).sort()).toEqual(['Post', 'Tag', 'User']);
    const posts = await search(plaza.client(), { query: w, types: ['POST'] });
    expect(posts.edges.map((e) => e.node)).toEqual([expect.objectContaining({ __typename: 'Post', id: post })]);
    const users = await search(plaza.client(), { query: w, types: ['USER'] });
    expect(users.edges.map((e) => e.node)).toEqual([expect.objectContaining({ __typename: 'User', id: person.id })]);
    const tags = await search(plaza.client(), { query: w, types: ['TAG', 'USER'] });
    expect(tags.edges.map((e) => e.node.__typename).sort()).toEqual(['Tag', 'User']);
  });

  it('pages by (score, id) without skipping or repeating, even as new posts arrive', async () => {
    const w = uniqueWord();
    const inputs = Array.from({ length: 23 }, (_, i) => ({
      // Several posts share a text (equal scores): the id breaks the tie.
      title: `${w} ${i % 3 === 0 ? `${w} 网关` : '网关'} 第${i % 5}篇`,
      body: i % 2 === 0 ? '网关服务' : '一些文字',
    }));
    const ids = await publish(inputs, w);
    const seen: string[] = [];
    const scores: number[] = [];
    let after: string | undefined;
    let arrived: string | undefined;
    for (;;) {
      const page = await search(plaza.client(), { query: `${w} 网关`, first: 7, ...(after ? { after } : {}) });
      seen.push(...postIds(page));
      scores.push(...page.edges.map((e) => e.score));
      if (arrived === undefined) {
        // A post arriving mid-way lands before or after the cursor; either way nothing shifts.
        [arrived] = await publish([{ title: `${w} 网关 第9篇`, body: '网关' }], w);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen.filter((id) => id !== arrived))).toEqual(new Set(ids));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  }, 60_000);

  it('refuses a cursor of another search', async () => {
    const w = uniqueWord();
    await publish([{ title: `${w} one` }, { title: `${w} two` }], w);
    const first = await search(plaza.client(), { query: w, first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const res = await searchRequest(plaza.client(), { query: `${w} one`, after: first.pageInfo.endCursor ?? '' });
    expectBadInput(res, 'after');
    expectBadInput(await searchRequest(plaza.client(), { query: w, after: 'not-a-cursor' }), 'after');
  });

  it('refuses an empty or blank query and one over 200 characters', async () => {
    for (const query of ['', '   ', '\t\n', '\u3000\u3000']) {
      expectBadInput(await searchRequest(plaza.client(), { query }), 'query');
    }
    expectBadInput(await searchRequest(plaza.client(), { query: 'a'.repeat(201) }), 'query');
    expectBadInput(await searchRequest(plaza.client(), { query: '网'.repeat(201) }), 'query');
    const ok = await searchRequest(plaza.client(), { query: '网'.repeat(200) });
    expect(ok.errors).toBeUndefined();
    expect(errorCode(await searchRequest(plaza.client(), { query: 'x', first: 101 }))).toBe('BAD_USER_INPUT');
  });

  it('treats query syntax and any Unicode as plain text', async () => {
    const w = uniqueWord();
    const [post] = await publish([{ title: `${w} C++ & Rust | node.js`, body: "it's a \"test\" \\ path" }], w);
    for (const query of [`${w} & rust`, `${w} | zzzznothing`, `!${w}`, `${w}:*`, `'${w}'`, `"${w}`, `${w}\\`, `${w} <-> rust`, `(${w})`]) {
      const res = await searchRequest(plaza.client(), { query, types: ['POST'] });
      expect(res.errors).toBeUndefined();
      const found = postIds(res.data!.search);
      // `|` is not OR and `!` is not NOT: every word is required, as text.
      expect(found).toEqual(query.includes('zzzznothing') ? [] : [post]);
    }
    for (const query of ['🙂🙂🙂', '\u0000', '\ud800', 'ℌ𝔢𝔩𝔩𝔬', '\u202eabc', 'a\u0301\u0301\u0301', '🏳️‍🌈', '𠀀𠀁', 'ﷺ']) {
      const res = await searchRequest(plaza.client(), { query });
      expect(res.errors).toBeUndefined();
    }
    expect(await find('🙂🙂🙂')).toEqual([]);
  });
});
