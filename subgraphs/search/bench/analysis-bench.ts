/**
 * `npm run bench:analysis -w @plaza/search`: the text analysis the indexer does per post, alone,
 * single-threaded, without Kafka or Postgres.
 *
 * Posts are those `npm run bench:search` indexes (the relevance corpus among posts generated from
 * its words, same generator and seed) and each is analysed as `src/indexer.ts` does for a new
 * post: `postTerms` (the title's suggestion terms, the tags normalised), then `postVector` (the
 * tsvector literal of title, tags and body). Prints µs per post, in total and per step.
 *
 * It also prints a fingerprint (sha256) of everything the analysis returns for these posts and
 * for a set of awkward texts (every script, surrogate pairs, marks, format characters, query
 * syntax) and random mixtures of them: vectors, suggestion terms, normalised text, tokens in both
 * modes, parsed relevance queries, highlights. A change meant to make the analysis faster must
 * leave it unchanged. `ANALYSIS_BENCH_DUMP=<file>` writes the fingerprinted outputs, to diff.
 *
 * Options (environment): `ANALYSIS_BENCH_POSTS` (generated posts, default 3,000),
 * `ANALYSIS_BENCH_PASSES` (timed passes, default 3), `ANALYSIS_BENCH_FINGERPRINT=0` (timing only,
 * e.g. under `node --cpu-prof`). Keep runs short on a shared machine.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createTextAnalyzer, type SuggestionTerm } from '../src/analysis/index.js';
import { ENGLISH_STOP_WORDS } from '../src/analysis/query.js';
import { loadRelevanceSet } from '../relevance/relevance-set.js';

const GENERATED = Number(process.env.ANALYSIS_BENCH_POSTS ?? 3_000);
const PASSES = Number(process.env.ANALYSIS_BENCH_PASSES ?? 3);
const DUMP = process.env.ANALYSIS_BENCH_DUMP;

const started = performance.now();
const analyzer = createTextAnalyzer();
const set = loadRelevanceSet();
const loadMs = performance.now() - started;

interface Post {
  title: string;
  body: string;
  tags: string[];
}

/** The generator of `bench/search-bench.ts` (same algorithm and seed). */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    skewed: (n: number) => Math.floor(n * next() ** 1.5),
  };
}
const random = createRandom(20_261_123);

/** Word pools by language, from the corpus as written, as `search-bench.ts` builds them. */
function pools() {
  const zh: string[] = [];
  const hant: string[] = [];
  const en: string[] = [];
  const tags = new Set<string>();
  for (const post of set.posts) {
    const target = post.id.startsWith('e') ? en : post.id.startsWith('zh') ? hant : zh;
    for (const t of analyzer.suggestionTerms(`${post.title}\n${post.body}`)) target.push(t.display);
    for (const tag of post.tags) tags.add(tag);
  }
  return { zh, hant, en, tags: [...tags] };
}

/** A post of `search-bench.ts`'s kind: a few sentences of one language's words. */
function generatedPost(words: ReturnType<typeof pools>): Post {
  const roll = random.next();
  const pool = roll < 0.55 ? words.zh : roll < 0.75 ? words.hant : words.en;
  const pick = () => pool[random.skewed(pool.length)]!;
  const join = pool === words.en ? ' ' : '';
  const sentence = (n: number) => Array.from({ length: n }, pick).join(join);
  const sentences = 2 + random.int(4);
  const body = Array.from({ length: sentences }, () => sentence(4 + random.int(8))).join(pool === words.en ? '. ' : '，');
  return {
    title: sentence(2 + random.int(3)),
    body: `${body}${pool === words.en ? '.' : '。'}`,
    tags: [...new Set(Array.from({ length: random.int(3) }, () => words.tags[random.int(words.tags.length)]!))],
  };
}

/** The corpus spread evenly among the generated posts, as `search-bench.ts` orders them. */
function benchPosts(): Post[] {
  const words = pools();
  const total = GENERATED + set.posts.length;
  const corpusEvery = Math.max(1, Math.floor(total / set.posts.length));
  const posts: Post[] = [];
  let corpusNext = 0;
  for (let i = 0; i < total; i++) {
    const source = i % corpusEvery === 0 && corpusNext < set.posts.length ? set.posts[corpusNext++]! : null;
    posts.push(source ? { title: source.title, body: source.body, tags: [...new Set(source.tags)] } : generatedPost(words));
  }
  return posts;
}

// ---------------------------------------------------------------------------------------------
// What the indexer does per post (`src/indexer.ts`: postTerms, postVector), step by step.

/** Time spent per step in the current pass, in milliseconds. */
const spent = { suggestionTerms: 0, tagKeys: 0, documentVector: 0, serialise: 0 };

function postTerms(post: Post): SuggestionTerm[] {
  const seen = new Set<string>();
  const out: SuggestionTerm[] = [];
  const add = (term: SuggestionTerm) => {
    if (seen.has(term.key) || ENGLISH_STOP_WORDS.has(term.key) || /^\p{N}+$/u.test(term.key)) return;
    seen.add(term.key);
    out.push(term);
  };
  let t = performance.now();
  const titleTerms = analyzer.suggestionTerms(post.title);
  let now = performance.now();
  spent.suggestionTerms += now - t;
  t = now;
  const tagTerms = post.tags.map((tag) => ({ key: analyzer.normalize(tag), display: tag }));
  now = performance.now();
  spent.tagKeys += now - t;
  for (const term of titleTerms) add(term);
  for (const term of tagTerms) add(term);
  return out;
}

function postVector(post: Post): string {
  const t = performance.now();
  const vector = analyzer.documentVector([
    { text: post.title, rank: 'primary' },
    ...post.tags.map((tag) => ({ text: tag, rank: 'primary' as const })),
    { text: post.body, rank: 'secondary' },
  ]);
  spent.documentVector += performance.now() - t;
  return vector;
}

// ---------------------------------------------------------------------------------------------
// Fingerprint: everything the analysis returns, for the posts and for awkward texts.

/** Texts that exercise every branch: scripts, widths, marks, surrogates, format characters. */
const AWKWARD = [
  '',
  '   ',
  'ＧｒａｐｈＱＬ　１２３',
  'ｶﾀｶﾅ ﾊﾟﾋﾟﾌﾟ',
  'Ⅻ ﬁle ① ㍿ ㌔',
  '網關服務 資料庫與軟體 綫上 臺灣的颱風 軟體開發 人工智慧 快取 記憶體 滑鼠 程式設計',
  '我在图书馆复习高等数学。网关服务今天上线了',
  'gra\u200bph\u00adql\ufeff',
  '𠀀𠀁 🙂 Ａ 𠀀网关𠀁 网𠀀关 👍🏽 👨‍👩‍👧',
  'Café naïve résumé São Paulo ÉCOLE',
  "don't l'été it's rock’n’roll O'Reilly",
  'e\u0301cole cafe\u0301 a\u0308\u0301 \u0301x 网\u0301关',
  'deploying deployment deploy deployed connections connected',
  'ウェブ開発の基本を学ぶ ひらがなカタカナ 東京タワー 日本語ー々〆〇',
  'ภาษาไทยเขียนติดกัน ខ្មែរ ລາວ',
  'Москва привет мир Ελληνικά עברית العربية',
  '한국어 텍스트 검색',
  'GraphQL网关服务 React18新特性 iPhone15Pro 第3名 2024年 ａｂｃ中文',
  '"quoted phrase" “网关 服务” 「图书馆」 『树洞』 &|!:* \\ \' < > ',
  'a'.repeat(70) + ' ' + '网'.repeat(70) + ' ' + 'x1'.repeat(40),
  '南京市长江大桥 北京大学 中华人民共和国 欧阳娜娜今天来了 晚上在树洞里吐槽',
  '\u3000全角空格\u3000 tab\there\nnew line\r\n',
  '\ud800 lone \udc00 surrogates \ud83d',
  '①②③ ⑴ ¹²³ ½ ﹁直排﹂ ︵ ',
  'ＡＢＣ–—…·・ 中·文 B·M·W',
];

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...' ,.;:!?\'’"“”「」()[]&|\\-_/\n\t\u3000，。、！？：；',
  ...'网关服务图书馆复习高等数学北京大学南京市长江大桥树洞吐槽软件开发数据库缓存人工智能的了是在我你他',
  ...'網關圖書館複習資料庫軟體開發快取臺灣颱風綫裡麵髮後發',
  ...'ＡＢＣａｂｃ１２３ｶﾀﾅﾟﾞ',
  ...'ひらがなカタカナー々〆',
  ...'éèêëïöüçñßÉÈØåæœ',
  '\u0301',
  '\u0308',
  '\u200b',
  '\u00ad',
  '\ufeff',
  '𠀀',
  '𠀁',
  '🙂',
  '👍',
  ...'ภาษาไทยМосква한국',
  ...'ⅫﬁⅠ①㍿',
];

function randomTexts(count: number): string[] {
  const fuzz = createRandom(7);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = 1 + fuzz.int(60);
    let text = '';
    for (let k = 0; k < length; k++) text += ALPHABET[fuzz.int(ALPHABET.length)]!;
    texts.push(text);
  }
  return texts;
}

function fingerprint(posts: readonly Post[]): { hash: string; lines: number } {
  const hash = createHash('sha256');
  const dump: string[] = [];
  let lines = 0;
  const out = (label: string, value: unknown) => {
    const line = `${label}\t${JSON.stringify(value)}\n`;
    hash.update(line);
    if (DUMP !== undefined) dump.push(line);
    lines += 1;
  };
  // Every post as the indexer sees it.
  posts.forEach((post, i) => {
    out(`post ${i} terms`, postTerms(post));
    out(`post ${i} vector`, postVector(post));
  });
  // Tag vectors and people's terms (the indexer's other calls).
  for (const tag of new Set(posts.flatMap((p) => p.tags))) out(`tag ${tag}`, analyzer.documentVector([{ text: tag, rank: 'primary' }]));
  // Awkward and random texts through every entry point.
  const texts = [...AWKWARD, ...randomTexts(3_000)];
  const sample = posts.filter((_, i) => i % 10 === 0);
  for (const post of sample) texts.push(post.title, post.body, ...post.tags);
  texts.forEach((text, i) => {
    out(`text ${i} normalize`, analyzer.normalize(text));
    out(`text ${i} index`, analyzer.tokenize(text, 'index'));
    out(`text ${i} query`, analyzer.tokenize(text, 'query'));
    out(`text ${i} suggestionTerms`, analyzer.suggestionTerms(text));
    out(`text ${i} vector`, analyzer.documentVector([{ text, rank: i % 2 === 0 ? 'primary' : 'secondary' }, { text, rank: 'secondary' }]));
    out(`text ${i} pinyin`, analyzer.pinyin(analyzer.normalize(text)));
  });
  // The relevance queries, and each query's highlights in its judged posts and in awkward texts.
  const byId = new Map(set.posts.map((p) => [p.id, p]));
  const queries = [...set.queries.map((q) => q.query), ...AWKWARD, ...randomTexts(300)];
  queries.forEach((query, i) => {
    const parsed = analyzer.parseQuery(query);
    out(`query ${i}`, parsed);
    const relevant = set.queries[i]?.relevant ?? [];
    for (const id of relevant) {
      const post = byId.get(id)!;
      out(`query ${i} highlight ${id}`, [analyzer.highlight(post.title, parsed), analyzer.highlightBest([post.title, post.body], parsed)]);
    }
    for (const text of AWKWARD) out(`query ${i} highlight awkward`, analyzer.highlight(text, parsed, 40));
  });
  if (DUMP !== undefined) writeFileSync(DUMP, dump.join(''));
  return { hash: hash.digest('hex'), lines };
}

// ---------------------------------------------------------------------------------------------

const posts = benchPosts();
const chars = posts.reduce((sum, p) => sum + p.title.length + p.body.length + p.tags.join('').length, 0);
console.log(
  `analyzer loaded in ${loadMs.toFixed(0)} ms; ${posts.length} posts (${set.posts.length} from the corpus), ` +
    `${(chars / posts.length).toFixed(0)} UTF-16 code units per post`,
);

let serialised = 0;

/** One pass over the posts: wall-clock and CPU (user + system) milliseconds. */
function pass(): { wall: number; cpu: number } {
  spent.suggestionTerms = 0;
  spent.tagKeys = 0;
  spent.documentVector = 0;
  spent.serialise = 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (const post of posts) {
    const terms = postTerms(post);
    const vector = postVector(post);
    // The indexer sends both to Postgres as JSON: that reads every string whole (a string built
    // by concatenation is flattened there, a cost its builder deferred).
    const before = performance.now();
    serialised += JSON.stringify({ vector, terms }).length;
    spent.serialise += performance.now() - before;
  }
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1_000 };
}

pass(); // warm-up: JIT, caches
const results: { wall: number; cpu: number; steps: typeof spent }[] = [];
for (let i = 0; i < PASSES; i++) results.push({ ...pass(), steps: { ...spent } });
// On a shared machine CPU time moves less with the neighbours than the wall clock does.
const micros = (ms: number) => ((ms * 1_000) / posts.length).toFixed(1);
for (const [i, r] of results.entries()) {
  console.log(
    `pass ${i + 1}: ${micros(r.cpu)} µs CPU/post, ${micros(r.wall)} µs wall/post (suggestionTerms ${micros(r.steps.suggestionTerms)}, ` +
      `tag keys ${micros(r.steps.tagKeys)}, documentVector ${micros(r.steps.documentVector)}, JSON ${micros(r.steps.serialise)})`,
  );
}
const best = results.reduce((a, b) => (b.cpu < a.cpu ? b : a));
console.log(`best: ${micros(best.cpu)} µs CPU/post (${micros(best.wall)} µs wall); ${(serialised / posts.length / (PASSES + 1)).toFixed(0)} characters of JSON per post`);

if (process.env.ANALYSIS_BENCH_FINGERPRINT !== '0') {
  const f = fingerprint(posts);
  console.log(`fingerprint: ${f.hash} (${f.lines} outputs)`);
}
