import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@plaza/common';
import { createExplorer } from '../src/explorer/index.js';
import { injectSandboxFallback, sandboxWithFallbackPlugin } from '../src/explorer/landing-page.js';

const typeDefs = 'type Query { hello: String }';
const logger = createLogger('explorer-landing-test', 'silent');

/** What Apollo answers a browser's GET of the endpoint. */
async function landingPage(server: ApolloServer<BaseContext>): Promise<{ status: number | undefined; html: string }> {
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'GET', headers: new HeaderMap([['accept', 'text/html']]), search: '', body: undefined },
    context: () => Promise.resolve({}),
  });
  if (response.body.kind !== 'complete') throw new Error('expected a complete body');
  return { status: response.status, html: response.body.string };
}

describe('Sandbox landing page with the offline fallback', () => {
  it("loads the fallback script first in <head>, ahead of Apollo's stylesheets and Sandbox's CDN script", async () => {
    let renders = 0;
    const server = new ApolloServer({
      typeDefs,
      plugins: [
        sandboxWithFallbackPlugin(
          { embed: true, includeCookies: false },
          { scriptUrl: '/explorer/sandbox-fallback.js', explorerPath: '/explorer', timeoutMs: 4000 },
          () => {
            renders += 1;
          },
        ),
      ],
    });
    await server.start();
    try {
      const { status, html } = await landingPage(server);
      expect(status ?? 200).toBe(200);
      const fallback = html.indexOf('<script src="/explorer/sandbox-fallback.js" data-explorer="/explorer" data-timeout-ms="4000"></script>');
      expect(fallback).toBeGreaterThan(html.indexOf('<head>'));
      // A pending stylesheet holds back every script after it: the fallback must precede them.
      expect(fallback).toBeLessThan(html.indexOf('rel="stylesheet"'));
      expect(fallback).toBeLessThan(html.indexOf('https://embeddable-sandbox.cdn.apollographql.com/'));
      expect(html).toContain('new window.EmbeddedSandbox');
      // Each page served warms the explorer's bundle.
      await landingPage(server);
      expect(renders).toBe(2);
    } finally {
      await server.stop();
    }
  });

  it('escapes the values it writes into the page and refuses a page without <head>', () => {
    const html = injectSandboxFallback('<html><head></head><body></body></html>', {
      scriptUrl: '/x"><script>alert(1)</script>',
      explorerPath: '/e&',
      timeoutMs: 10,
    });
    expect(html).toContain('src="/x&quot;>&lt;script>alert(1)&lt;/script>"');
    expect(html).toContain('data-explorer="/e&amp;"');
    expect(() => injectSandboxFallback('<html><body></body></html>', { scriptUrl: '/s', explorerPath: '/e', timeoutMs: 1 })).toThrow(/<head>/);
  });

  it('serves no Sandbox page when disabled (production, LANDING_PAGE=false)', async () => {
    const explorer = createExplorer({ enabled: false, graphqlPath: '/graphql', home: '/nonexistent', logger });
    const server = new ApolloServer({ typeDefs, plugins: [explorer.landingPagePlugin] });
    await server.start();
    try {
      const { html } = await landingPage(server);
      expect(html).not.toMatch(/sandbox/i);
      expect(html).not.toContain('/explorer');
    } finally {
      await server.stop();
    }
  });
});
