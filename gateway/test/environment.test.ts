import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/environment.js';

describe('gateway configuration', () => {
  it('turns Sandbox and introspection off in production unless enabled', () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod.landingPage).toBe(false);
    expect(prod.introspection).toBe(false);
    expect(prod.server.corsOrigins).toEqual([]);
    const enabled = loadConfig({ NODE_ENV: 'production', LANDING_PAGE: 'true', INTROSPECTION: 'true' });
    expect(enabled.landingPage).toBe(true);
    expect(enabled.introspection).toBe(true);
  });

  it('turns them on in development', () => {
    const dev = loadConfig({});
    expect(dev.landingPage).toBe(true);
    expect(dev.introspection).toBe(true);
    expect(dev.server.corsOrigins).toBe('*');
  });

  it('reads per-subgraph URL overrides and refuses a malformed one', () => {
    expect(loadConfig({ SUBGRAPH_URL_IDENTITY: 'http://10.0.0.5:4001/graphql' }).subgraphUrls).toEqual({
      identity: 'http://10.0.0.5:4001/graphql',
    });
    expect(() => loadConfig({ SUBGRAPH_URL_IDENTITY: 'not a url' })).toThrow();
  });

  it('collects the old generation at twice its live size unless told otherwise', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(100);
    expect(loadConfig({ GATEWAY_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(() => loadConfig({ GATEWAY_HEAP_GROWING_PERCENT: '-5' })).toThrow(/GATEWAY_HEAP_GROWING_PERCENT/);
  });

  it('stops at boot on a bad value, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
  });
});
