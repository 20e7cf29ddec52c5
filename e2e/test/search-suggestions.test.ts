import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, waitUntil, type Plaza, type TestUser } from '../src/index.js';
import { createPost, expectBadInput } from './content-fixtures.js';
import { SUGGEST, suggest, uniqueWord, waitForPost } from './search-fixtures.js';

/**
 * `searchSuggestions` completes tag names, usernames, display names and title words from a
 * Chinese, Latin or pinyin prefix, most used first. Chinese terms here are made of rare
 * characters with readings no common word shares, so other tests' data cannot crowd them out.
 */
let plaza: Plaza;
let author: TestUser;

/** Rare characters and their pinyin (tones dropped). */
const RARE: readonly [string, string][] = [
  ['鑫', 'xin'], ['淼', 'miao'], ['焱', 'yan'], ['垚', 'yao'], ['犇', 'ben'], ['骉', 'biao'], ['鱻', 'xian'],
  ['猋', 'biao'], ['赑', 'bi'], ['屃', 'xi'], ['翀', 'chong'], ['昶', 'chang'], ['玥', 'yue'], ['珺', 'jun'],
];

/** A four-character Chinese term nobody else uses, with its pinyin. */
function rareTerm(): { term: string; pinyin: string; initials: string } {
  const picked = Array.from({ length: 4 }, () => RARE[randomInt(RARE.length)]!);
  return {
    term: picked.map(([ch]) => ch).join(''),
    pinyin: picked.map(([, py]) => py).join(''),
    initials: picked.map(([, py]) => py[0]).join(''),
  };
}

beforeAll(async () => {
  plaza = await startPlaza();
  author = await registerUser(plaza.client());
});

afterAll(async () => {
  await plaza?.close();
});

/** Waits until the suggestions for `prefix` include `expected` (the index follows events). */
async function waitForSuggestion(prefix: string, expected: string): Promise<string[]> {
  return waitUntil(async () => {
    const list = await suggest(plaza.client(), prefix, 10);
    return list.includes(expected) ? list : false;
  });
}

describe('search suggestions', () => {
  it('completes a Chinese prefix, and a pinyin prefix or initials of it', async () => {
    const { term, pinyin, initials } = rareTerm();
    const w = uniqueWord();
    const post = await createPost(author.client, { title: `${w} 标题`, body: '-', tags: [term] });
    await waitForPost(plaza.client(), w, post.id, true);
    await waitForSuggestion(term.slice(0, 2), term);
    await waitForSuggestion(pinyin.slice(0, pinyin.length - 2), term);
    await waitForSuggestion(pinyin, term);
    await waitForSuggestion(initials, term);
    // Spaces and capitals, as typed on a phone keyboard, are fine.
    await waitForSuggestion(`${pinyin.slice(0, 3).toUpperCase()} ${pinyin.slice(3, 6)}`, term);
  });

  it('completes a simplified prefix with a traditional term and the other way round', async () => {
    const { term } = rareTerm();
    const w = uniqueWord();
    // 網關 folds to 网关: the term is keyed simplified and shown as written.
    const post = await createPost(author.client, { title: `${w} ${term}網關`, body: '-', tags: [`${term}網關`] });
    await waitForPost(plaza.client(), w, post.id, true);
    await waitForSuggestion(`${term}网`, `${term}網關`);
    await waitForSuggestion(`${term}網`, `${term}網關`);
  });

  it('completes Latin prefixes of title words, tags, usernames and display names', async () => {
    const w = uniqueWord('zs');
    const person = await registerUser(plaza.client(), { prefix: w.slice(0, 8), displayName: `${w}Display Name` });
    const post = await createPost(author.client, { title: `Learning ${w}GraphQL today`, body: '-', tags: [`${w}tag`] });
    await waitForPost(plaza.client(), `${w}graphql`, post.id, true);
    await waitForSuggestion(w.slice(0, 10), `${w}GraphQL`);
    await waitForSuggestion(w.toUpperCase(), `${w}tag`);
    await waitForSuggestion(`${w}disp`, `${w}Display Name`);
    await waitForSuggestion(person.username.slice(0, 12), person.username);
  });

  it('lists the most used completions first', async () => {
    const w = uniqueWord();
    const marker = uniqueWord();
    const rare = `${w}rare`;
    const popular = `${w}popular`;
    let last = '';
    for (const tags of [[rare], [popular], [popular], [popular, rare], [popular]]) {
      last = (await createPost(author.client, { title: `${marker} post`, body: '-', tags })).id;
    }
    await waitForPost(plaza.client(), marker, last, true);
    const list = await waitForSuggestion(w, rare);
    expect(list.indexOf(popular)).toBeLessThan(list.indexOf(rare));
    expect(list.slice(0, 2)).toEqual([popular, rare]);
    expect(await suggest(plaza.client(), w, 1)).toEqual([popular]);
  });

  it('answers a blank prefix with nothing and refuses one over 200 characters', async () => {
    expect(await suggest(plaza.client(), '   ')).toEqual([]);
    expect(await suggest(plaza.client(), '')).toEqual([]);
    expectBadInput(await plaza.client().request(SUGGEST, { prefix: 'x'.repeat(201) }), 'prefix');
    // Pattern characters are text: `%` and `_` match only themselves.
    expect(await suggest(plaza.client(), '%')).toEqual([]);
    expect(await suggest(plaza.client(), '_')).toEqual([]);
  });
});
