import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextAnalyzer } from '../src/analysis/index.js';

/**
 * Queries against documents, matched by the real Postgres (`tsvector @@ tsquery`): the analysed
 * text is the only thing Postgres ever parses, so these also prove that nothing typed in a query
 * can be query syntax.
 */
const analyzer = createTextAnalyzer();
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza' });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
});

async function matches(document: { title?: string; body: string }, query: string): Promise<boolean> {
  const parsed = analyzer.parseQuery(query);
  if (parsed.tsquery === null) return false;
  const vector = analyzer.documentVector([
    { text: document.title ?? '', rank: 'primary' },
    { text: document.body, rank: 'secondary' },
  ]);
  const result = await client.query<{ hit: boolean }>('SELECT $1::tsvector @@ $2::tsquery AS hit', [vector, parsed.tsquery]);
  return result.rows[0]?.hit === true;
}

describe('query parsing', () => {
  it('requires every word (AND)', async () => {
    const doc = { body: '周末去成都吃火锅，顺便逛了宽窄巷子' };
    expect(await matches(doc, '成都 火锅')).toBe(true);
    expect(await matches(doc, '成都 烤鸭')).toBe(false);
    expect(await matches({ body: 'Kafka consumer groups explained' }, 'kafka consumer')).toBe(true);
    expect(await matches({ body: 'Kafka consumer groups explained' }, 'kafka producer')).toBe(false);
  });

  it('finds simplified text with a traditional query and the other way round', async () => {
    expect(await matches({ body: '我们的网关服务今天上线了' }, '網關')).toBe(true);
    expect(await matches({ body: '我們的網關服務今天上線了' }, '网关')).toBe(true);
    expect(await matches({ body: '圖書館週末開放到晚上十點' }, '图书馆 开放')).toBe(true);
  });

  it('joins the regional words for one thing: 軟體 and 软件, 快取 and 缓存, 人工智慧 and 人工智能', async () => {
    expect(await matches({ body: '我們在做軟體開發' }, '软件开发')).toBe(true);
    expect(await matches({ body: '我们在做软件开发' }, '軟體開發')).toBe(true);
    expect(await matches({ body: 'Redis快取雪崩' }, '缓存')).toBe(true);
    expect(await matches({ body: 'Redis缓存雪崩' }, '快取')).toBe(true);
    expect(await matches({ body: '人工智慧的倫理問題' }, '人工智能')).toBe(true);
    expect(await matches({ body: '資料庫備份' }, '数据库')).toBe(true);
  });

  it('finds words that the dictionary does not know or splits, through bigrams', async () => {
    expect(await matches({ body: '昨晚在树洞里看到一个帖子，笑死我了' }, '树洞')).toBe(true);
    expect(await matches({ body: '这家奶茶店的新品真的绝绝子' }, '绝绝子')).toBe(true);
    expect(await matches({ body: '欧阳娜娜来我们学校开讲座了' }, '欧阳娜娜')).toBe(true);
  });

  it('finds a dictionary word that the document cut differently (南京市长江大桥 has 长江大桥 and 大桥)', async () => {
    const doc = { body: '南京市长江大桥是一座公路铁路两用桥' };
    expect(await matches(doc, '长江大桥')).toBe(true);
    expect(await matches(doc, '大桥')).toBe(true);
    expect(await matches(doc, '南京')).toBe(true);
  });

  it('matches one Chinese character anywhere in a word', async () => {
    expect(await matches({ body: '我家的小花猫' }, '猫')).toBe(true);
    expect(await matches({ body: '猫咪很可爱' }, '猫')).toBe(true);
    expect(await matches({ body: '狗狗很可爱' }, '猫')).toBe(false);
  });

  it('matches quoted phrases only with their words together and in order', async () => {
    const doc = { body: '网关服务上线以后，数据库服务也稳定了' };
    expect(await matches(doc, '"网关服务"')).toBe(true);
    expect(await matches(doc, '"数据库服务"')).toBe(true);
    expect(await matches(doc, '"网关数据库"')).toBe(false);
    expect(await matches(doc, '网关 数据库')).toBe(true);
    expect(await matches({ body: 'The quick brown fox' }, '"quick brown"')).toBe(true);
    expect(await matches({ body: 'The quick brown fox' }, '"brown quick"')).toBe(false);
    expect(await matches({ body: 'The quick brown fox' }, '“quick brown fox”')).toBe(true);
    expect(await matches({ body: '我在樹洞裡說了一句話' }, '「树洞里说」')).toBe(true);
  });

  it('matches phrases that mix Latin and Chinese', async () => {
    expect(await matches({ body: '今天部署了GraphQL网关' }, '"graphql 网关"')).toBe(true);
    expect(await matches({ body: '今天部署了GraphQL和网关' }, '"graphql 网关"')).toBe(false);
  });

  it('does not match a phrase across the title and the body', async () => {
    expect(await matches({ title: 'the quick', body: 'brown fox' }, '"quick brown"')).toBe(false);
  });

  it('stems English in documents and queries alike', async () => {
    expect(await matches({ body: 'She was running the libraries' }, 'runs library')).toBe(true);
    expect(await matches({ body: 'Cafés in Kyoto' }, 'cafe kyoto')).toBe(true);
  });

  it('finds mixed-language queries', async () => {
    expect(await matches({ body: '用 Kafka 做消息队列的一些经验' }, 'kafka 消息队列')).toBe(true);
    expect(await matches({ body: 'Redis缓存穿透怎么办' }, 'redis 缓存')).toBe(true);
  });

  it('folds full-width queries and case', async () => {
    expect(await matches({ body: 'PostgreSQL full-text search' }, 'ＰＯＳＴＧＲＥＳＱＬ')).toBe(true);
  });

  it('drops English stop words and Chinese particles from a query with other words', () => {
    expect(analyzer.parseQuery('the art of running').tsquery).toBe(`'art' & 'run'`);
    expect(analyzer.parseQuery('我的猫').tsquery).toBe(`'我':* & '猫':*`);
    expect(analyzer.parseQuery('the').tsquery).toBe(`'the'`);
  });

  it('treats &, |, !, :*, quotes and backslashes in a query as text, never as syntax', async () => {
    const doc = { body: 'a b c d e f' };
    for (const query of ['a & b', 'a | zzz', '!a', 'a:*', "'a'", '\\a', 'a\\', "a' | 'zzz", 'a) | (zzz', '<->', '!(zzz)']) {
      const parsed = analyzer.parseQuery(query);
      if (parsed.tsquery === null) continue;
      // Postgres accepts every query we build…
      await client.query('SELECT $1::tsquery', [parsed.tsquery]);
      // …and `|` or `!` never widen or invert it: zzz is required, not optional or negated.
      expect(await matches(doc, query)).toBe(!query.includes('zzz'));
    }
    expect(await matches({ body: "O'Reilly & Sons" }, "o'reilly sons")).toBe(true);
  });

  it('has nothing to search for in a query of symbols or emoji', () => {
    for (const query of ['!!!', '🙂🙂', '&|!', '""', '   ']) {
      expect(analyzer.parseQuery(query).tsquery).toBeNull();
    }
  });

  it('adds a proximity bonus pattern only for several unquoted words', () => {
    expect(analyzer.parseQuery('网关服务').proximityTsquery).toBe(`('网关' <1> '关服' <1> '服务')`);
    expect(analyzer.parseQuery('网关').proximityTsquery).toBeNull();
    expect(analyzer.parseQuery('"网关服务"').proximityTsquery).toBeNull();
  });

  it('survives any Unicode', async () => {
    const strange = ['\u0000\u0001', '\ud800', 'ℌ𝔢𝔩𝔩𝔬', 'ﷺ', '🏳️‍🌈', 'a\u0301\u0301\u0301', '\u202eabc', 'Ω≈ç√'];
    for (const query of strange) {
      const parsed = analyzer.parseQuery(query);
      if (parsed.tsquery !== null) await client.query('SELECT $1::tsquery', [parsed.tsquery]);
      await client.query('SELECT $1::tsvector', [analyzer.documentVector([{ text: query, rank: 'secondary' }])]);
    }
    expect(await matches({ body: 'Hello' }, 'ℌ𝔢𝔩𝔩𝔬')).toBe(true);
  });
});
