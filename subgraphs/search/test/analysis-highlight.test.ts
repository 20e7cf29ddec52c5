import { describe, expect, it } from 'vitest';
import { createTextAnalyzer, FRAGMENT_LENGTH } from '../src/analysis/index.js';

const analyzer = createTextAnalyzer();
const highlight = (text: string, query: string, maxLength?: number) =>
  analyzer.highlight(text, analyzer.parseQuery(query), maxLength);

/** The fragment without markup and entities, to measure it. */
const plain = (html: string) => html.replace(/<\/?em>/g, '').replace(/&(?:amp|lt|gt|quot|#39);/g, '_');

describe('highlighting', () => {
  it('wraps every hit in <em>', () => {
    expect(highlight('网关服务上线了，网关很稳定', '网关')).toBe('<em>网关</em>服务上线了，<em>网关</em>很稳定');
    expect(highlight('Running a GraphQL gateway: the runner runs.', 'run gateway')).toBe(
      '<em>Running</em> a GraphQL <em>gateway</em>: the runner <em>runs</em>.',
    );
  });

  it('marks hits on the text as written: traditional characters, full-width letters, accents', () => {
    expect(highlight('我們的網關服務今天上線了', '网关')).toBe('我們的<em>網關</em>服務今天上線了');
    expect(highlight('ＧｒａｐｈＱＬ入門', 'graphql')).toBe('<em>ＧｒａｐｈＱＬ</em>入門');
    expect(highlight('Un café à Paris', 'cafe')).toBe('Un <em>café</em> à Paris');
  });

  it('HTML-escapes everything around the hits, so a post cannot inject markup', () => {
    const html = highlight('<script>alert("x")</script> & <b>网关</b> \'quoted\'', '网关');
    expect(html).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;<em>网关</em>&lt;/b&gt; &#39;quoted&#39;');
    expect(highlight('<img src=x onerror=alert(1)>', 'img')).toBe('&lt;<em>img</em> src=x onerror=alert(1)&gt;');
  });

  it('marks a whole phrase as one hit and nothing where its words are apart', () => {
    expect(highlight('网关服务上线以后，服务和网关都稳定了', '"网关服务"')).toBe('<em>网关服务</em>上线以后，服务和网关都稳定了');
  });

  it('marks a one-character query on that character only', () => {
    expect(highlight('小花猫和猫咪', '猫')).toBe('小花<em>猫</em>和<em>猫</em>咪');
  });

  it('picks the fragment with the most distinct hits, about 160 characters, with ellipses', () => {
    const filler = '今天天气不错，我们去操场散步，然后回宿舍休息。'.repeat(12);
    const text = `${filler}网关上线了。${filler}网关和数据库都上线了，服务稳定。${filler}`;
    const html = highlight(text, '网关 数据库');
    expect(html).not.toBeNull();
    expect(html).toContain('<em>网关</em>和<em>数据库</em>');
    expect(html!.startsWith('…')).toBe(true);
    expect(html!.endsWith('…')).toBe(true);
    expect(plain(html!).length).toBeLessThanOrEqual(FRAGMENT_LENGTH + 2);
  });

  it('shows a short text whole, with new lines as spaces', () => {
    expect(highlight('第一行\n\n第二行 网关', '网关')).toBe('第一行 第二行 <em>网关</em>');
  });

  it('is null when the text has no hit', () => {
    expect(highlight('nothing to see here', '网关')).toBeNull();
    expect(highlight('', 'graphql')).toBeNull();
  });

  it('never splits a character outside the Basic Multilingual Plane', () => {
    const text = `${'🙂'.repeat(200)}网关${'🙂'.repeat(200)}`;
    const html = highlight(text, '网关')!;
    expect(html).toContain('<em>网关</em>');
    expect(html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});
