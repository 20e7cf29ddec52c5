/**
 * The data set seeded into Plaza for the benchmark: deterministic (a seeded PRNG), so every run
 * and every gateway sees the same graph. Users with Chinese and English names; posts in either
 * language with tags from both; a few popular posts with long comment threads and many posts with
 * few comments; some anonymous posts and comments. Pure: unit-tested.
 */

/** Bumped whenever the data set changes: a database seeded with another version is re-created. */
export const SEED_VERSION = 1;
export const BENCH_PASSWORD = 'plaza-bench-2026';

export interface SeedUser {
  username: string;
  displayName: string;
  /** Language the user writes in. */
  lang: 'zh' | 'en';
}

export interface SeedComment {
  /** Index into users. */
  by: number;
  body: string;
  anonymous: boolean;
  replies: { by: number; body: string; anonymous: boolean }[];
}

export interface SeedPost {
  by: number;
  title: string;
  body: string;
  tags: string[];
  anonymous: boolean;
  comments: SeedComment[];
}

export interface DataSet {
  users: SeedUser[];
  posts: SeedPost[];
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZH_NAMES = ['小明', '李华', '王芳', '张伟', '刘洋', '陈静', '杨帆', '赵磊', '黄婷', '周杰', '吴敏', '徐晨', '孙悦', '马超', '朱琳', '胡斌', '郭佳', '何雨', '高远', '林夕'];
const EN_NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yara'];

export const ZH_TAGS = ['自习', '图书馆', '美食', '旅行', '摄影', '考研', '健身', '电影', '音乐', '吐槽', '树洞', '穿搭'];
export const EN_TAGS = ['hiking', 'coffee', 'graphql', 'photography', 'books', 'travel', 'food', 'music', 'cats', 'running', 'design', 'study'];

const ZH_TITLES = ['今天在{t}发现了一个好地方', '关于{t}的一点小心得', '有没有人一起去{t}', '{t}日记：第{n}天', '求推荐：{t}相关', '{t}避坑指南', '周末的{t}计划'];
const EN_TITLES = ['Notes on {t}, week {n}', 'Anyone into {t}?', 'My {t} setup in {n} steps', 'A quiet morning of {t}', 'What I learned about {t}', '{t}: the good and the bad', 'Weekend {t} plans'];
const ZH_SENTENCES = [
  '今天天气很好，适合出门走走。',
  '图书馆三楼靠窗的位置最安静，就是要早点去占座。',
  '食堂的麻辣烫又涨价了，分量还少了。',
  '推荐给期末周复习的同学！📚',
  '有同样想法的朋友可以在评论区聊聊。',
  '拍了几张照片，光线刚刚好。',
  '坚持了一个月，感觉自己状态好多了。',
  '这家咖啡店的拿铁很不错，价格也合适。',
  '距离截止还有一个月，一个字都没写。',
];
const EN_SENTENCES = [
  'Did the full loop this morning, about 15 km, best light around 7am.',
  'Bring water, the last stretch has no shade at all.',
  'Keep entities small and batch everything with a DataLoader.',
  'The new place on the corner makes a decent flat white.',
  'Finished the book in two evenings; the middle part drags a little.',
  'Three weeks in and the routine finally feels easy.',
  'Happy to share the route if anyone wants it.',
  'Not sure it was worth the price, but the view was great.',
  'Let me know in the comments what worked for you. 🙂',
];
const ZH_COMMENTS = ['同感！', '三楼靠窗的位置最好。', '周末一起去吗？', '抱抱，先从文献综述开始吧。', '谢谢分享，收藏了。', '这个价格可以接受。', '楼主说得对。', '求地址！', '哈哈哈哈，太真实了。'];
const EN_COMMENTS = ['Same here!', 'Is it open on weekends too?', 'Sure, Saturday at 7?', 'Thanks for sharing, saved.', 'That price seems fair.', 'Where exactly is this?', 'Great photos!', 'I tried this last year, highly recommend.', 'Ha, so true.'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  const item = list[Math.floor(rand() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** An integer in [min, max]. */
function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** Index in [0, n) skewed towards 0 (roughly Zipf-like): a few prolific authors, popular tags. */
function skewed(rand: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n * rand() * rand()));
}

export interface DataSetSize {
  users: number;
  posts: number;
}

export const DEFAULT_SIZE: DataSetSize = { users: 40, posts: 200 };

export function generateDataSet(size: DataSetSize = DEFAULT_SIZE, seed = 20261123): DataSet {
  const rand = createRandom(seed);
  const users: SeedUser[] = Array.from({ length: size.users }, (_, i) => {
    const lang = i % 2 === 0 ? 'zh' : 'en';
    const names = lang === 'zh' ? ZH_NAMES : EN_NAMES;
    return { username: `bench_u${String(i).padStart(3, '0')}`, displayName: `${names[Math.floor(i / 2) % names.length] ?? 'bench'}${i >= 40 ? ` ${i}` : ''}`, lang };
  });
  const text = (lang: 'zh' | 'en', min: number, max: number) =>
    Array.from({ length: between(rand, min, max) }, () => pick(rand, lang === 'zh' ? ZH_SENTENCES : EN_SENTENCES)).join(lang === 'zh' ? '' : ' ');
  const comment = (lang: 'zh' | 'en') => pick(rand, lang === 'zh' ? ZH_COMMENTS : EN_COMMENTS);
  const posts: SeedPost[] = Array.from({ length: size.posts }, (_, i) => {
    const by = skewed(rand, size.users);
    const author = users[by];
    if (!author) throw new Error('no author');
    const lang = author.lang;
    // Tags mostly in the author's language, sometimes mixed, popular ones more often.
    const tagCount = between(rand, 1, 4);
    const tags = new Set<string>();
    while (tags.size < tagCount) {
      const pool = rand() < 0.75 ? (lang === 'zh' ? ZH_TAGS : EN_TAGS) : lang === 'zh' ? EN_TAGS : ZH_TAGS;
      const tag = pool[skewed(rand, pool.length)];
      if (tag) tags.add(tag);
    }
    const [firstTag] = [...tags];
    const title = pick(rand, lang === 'zh' ? ZH_TITLES : EN_TITLES)
      .replace('{t}', firstTag ?? '')
      .replace('{n}', String(between(rand, 2, 30)));
    const anonymous = rand() < 0.1;
    // One post in ten is popular: long threads. The rest have a handful of comments or none.
    const popular = i % 10 === 3;
    const commentCount = popular ? between(rand, 12, 24) : between(rand, 0, 5);
    const comments: SeedComment[] = Array.from({ length: commentCount }, () => {
      const cby = between(rand, 0, size.users - 1);
      const clang = users[cby]?.lang ?? 'en';
      const replies = Array.from({ length: popular ? between(rand, 0, 5) : between(rand, 0, 2) }, () => {
        const rby = between(rand, 0, size.users - 1);
        return { by: rby, body: comment(users[rby]?.lang ?? 'en'), anonymous: anonymous ? rand() < 0.7 : rand() < 0.1 };
      });
      return { by: cby, body: comment(clang), anonymous: anonymous ? rand() < 0.7 : rand() < 0.15, replies };
    });
    return { by, title, body: text(lang, 2, 8), tags: [...tags], anonymous, comments };
  });
  return { users, posts };
}

export function countComments(data: DataSet): number {
  return data.posts.reduce((n, p) => n + p.comments.reduce((m, c) => m + 1 + c.replies.length, 0), 0);
}
