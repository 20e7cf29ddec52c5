import { describe, expect, it } from 'vitest';
import { createTextAnalyzer, type Token } from '../src/analysis/index.js';

const analyzer = createTextAnalyzer();

const terms = (text: string, kind?: Token['kind']) =>
  analyzer
    .tokenize(text, 'index')
    .filter((t) => kind === undefined || t.kind === kind)
    .map((t) => t.term);

describe('normalisation', () => {
  it('folds full-width and half-width forms and case (NFKC, then lower case)', () => {
    expect(analyzer.normalize('ＧｒａｐｈＱＬ　１２３')).toBe('graphql 123');
    expect(analyzer.normalize('ｶﾀｶﾅ')).toBe('カタカナ');
    expect(analyzer.normalize('Ⅻ ﬁle ①')).toBe('xii file 1');
  });

  it('folds traditional Chinese (Taiwan and Hong Kong variants included) to simplified', () => {
    expect(analyzer.normalize('網關服務')).toBe('网关服务');
    expect(analyzer.normalize('資料庫與軟體')).toBe('资料库与软体');
    expect(analyzer.normalize('綫上')).toBe('线上');
    expect(analyzer.normalize('臺灣的颱風')).toBe('台湾的台风');
  });

  it('leaves simplified Chinese as it is', () => {
    const text = '我在图书馆复习高等数学。网关服务今天上线了';
    expect(analyzer.normalize(text)).toBe(text);
  });

  it('drops zero-width and other format characters, so they cannot split a word', () => {
    expect(analyzer.normalize('gra\u200bph\u00adql\ufeff')).toBe('graphql');
  });

  it('keeps characters outside the Basic Multilingual Plane whole', () => {
    expect(analyzer.normalize('𠀀𠀁 🙂 Ａ')).toBe('𠀀𠀁 🙂 a');
  });
});

describe('tokenisation', () => {
  it('segments Chinese with the dictionary in search mode: 网关服务 also yields 网关 and 服务', () => {
    expect(terms('网关服务', 'word')).toEqual(expect.arrayContaining(['网关', '服务']));
    expect(terms('北京大学', 'word')).toEqual(expect.arrayContaining(['北京', '大学', '北京大学']));
  });

  it('adds character bigrams, so words the dictionary splits or does not know are still terms', () => {
    expect(terms('晚上在树洞里吐槽', 'gram')).toEqual(expect.arrayContaining(['树洞', '吐槽']));
    // A made-up name: jieba may cut it anywhere, its bigrams are there regardless.
    expect(terms('欧阳娜娜今天来了', 'gram')).toEqual(expect.arrayContaining(['欧阳', '阳娜', '娜娜']));
  });

  it('keeps the last character of a CJK run, so every character starts some term', () => {
    const tokens = analyzer.tokenize('我爱猫。狗', 'index');
    expect(tokens.filter((t) => t.kind === 'char').map((t) => t.term)).toEqual(['猫', '狗']);
  });

  it('indexes traditional and simplified text with the same terms', () => {
    expect(terms('網關服務')).toEqual(terms('网关服务'));
    expect(terms('圖書館開放時間')).toEqual(terms('图书馆开放时间'));
  });

  it('lower-cases Latin words, folds their accents and stems English', () => {
    expect(terms('Running RUNS runner')).toEqual(['run', 'run', 'runner']);
    expect(terms('Libraries library')).toEqual(['librari', 'librari']);
    expect(terms('Café naïve Ｒésumé')).toEqual(['cafe', 'naiv', 'resum']);
    expect(terms("students' student's don't")).toEqual(['student', 'student', 'dont']);
  });

  it('splits Latin words at dots and symbols, and between Latin and Chinese', () => {
    expect(terms('node.js C++ GraphQL 网关').filter((t) => t !== '闸道器')).toEqual(['node', 'js', 'c', 'graphql', '网关', '网关', '关']);
  });

  it('segments Japanese and scripts written without spaces with Intl.Segmenter', () => {
    expect(terms('東京で会議があります', 'word')).toEqual(expect.arrayContaining(['东京', '会议']));
    expect(terms('ภาษาไทยง่ายมาก', 'word').length).toBeGreaterThan(1);
    expect(terms('Привет мир 한국어 문장')).toEqual(['привет', 'мир', '한국어', '문장']);
  });

  it('gives one slot per Latin word and per CJK character, so bigrams are consecutive', () => {
    const tokens = analyzer.tokenize('GraphQL 网关服务', 'index');
    const slots = Object.fromEntries(tokens.filter((t) => t.kind === 'gram' || t.kind === 'char').map((t) => [t.term, t.slot]));
    expect(slots).toEqual({ 网关: 1, 关服: 2, 服务: 3, 务: 4 });
    expect(tokens.find((t) => t.term === 'graphql')?.slot).toBe(0);
  });

  it('turns query syntax and markup into nothing but letters and digits', () => {
    const nasty = `a&b|c !d :* 'e' "f" \\g <h> (i) -j +k ~l ^m 网&关 ' or 1=1 --`;
    for (const token of analyzer.tokenize(nasty, 'index')) {
      expect(token.term).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
    }
    expect(terms(nasty)).toContain('网');
  });

  it('skips terms longer than 64 characters and every symbol or emoji', () => {
    expect(terms(`${'x'.repeat(65)} ok 🙂🙂 ★`)).toEqual(['ok']);
  });
});

describe('document vectors', () => {
  it('weighs title words A, title bigrams B, body words C and body bigrams D', () => {
    const vector = analyzer.documentVector([
      { text: '网关', rank: 'primary' },
      { text: '市长', rank: 'secondary' },
      { text: '南京市长江大桥', rank: 'secondary' },
    ]);
    expect(vector).toMatch(/'网关':1A\b/);
    // 市长 is a word in the second field and only a bigram in the third.
    expect(vector).toMatch(/'市长':\d+C,\d+(?:\s|$)/);
  });

  it('keeps a gap between fields so that no phrase spans two of them', () => {
    const vector = analyzer.documentVector([
      { text: 'alpha', rank: 'primary' },
      { text: 'beta', rank: 'secondary' },
    ]);
    const alpha = Number(/'alpha':(\d+)/.exec(vector)?.[1]);
    const beta = Number(/'beta':(\d+)/.exec(vector)?.[1]);
    expect(beta - alpha).toBeGreaterThan(2);
  });

  it('quotes every lexeme, so nothing in a text can break the tsvector syntax', () => {
    const vector = analyzer.documentVector([{ text: `it's a "test" \\ & | ! :*`, rank: 'secondary' }]);
    expect(vector).toBe(`'it':1C 'a':2C 'test':3C`);
  });

  it('is empty for a text without words', () => {
    expect(analyzer.documentVector([{ text: '!!! 🙂 ...', rank: 'primary' }])).toBe('');
  });
});

describe('suggestion terms', () => {
  it('lists the words of a title once, keyed as normalised and displayed as written', () => {
    expect(analyzer.suggestionTerms('GraphQL 網關服務入門：GraphQL 北京大学的 Café')).toEqual([
      { key: 'graphql', display: 'GraphQL' },
      { key: '网关', display: '網關' },
      { key: '服务', display: '服務' },
      { key: '入门', display: '入門' },
      { key: '北京大学', display: '北京大学' },
      { key: 'cafe', display: 'Café' },
    ]);
  });
});

describe('pinyin readings', () => {
  it('reads Chinese terms as full pinyin and initials, polyphonic characters in context', () => {
    expect(analyzer.pinyin('网关')).toEqual({ full: 'wangguan', initials: 'wg' });
    expect(analyzer.pinyin('重庆')).toEqual({ full: 'chongqing', initials: 'cq' });
    expect(analyzer.pinyin('银行')).toEqual({ full: 'yinhang', initials: 'yh' });
    expect(analyzer.pinyin('绿色')).toEqual({ full: 'lvse', initials: 'ls' });
  });

  it('has no reading for anything that is not all Chinese characters', () => {
    expect(analyzer.pinyin('graphql')).toBeNull();
    expect(analyzer.pinyin('网关api')).toBeNull();
  });
});
