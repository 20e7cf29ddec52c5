import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/environment.js';

describe('executor configuration', () => {
  it("runs plans with Plaza's executor by default, subgraph de-duplication on, inbound off, one process", () => {
    const config = loadConfig({});
    expect(config.executor).toEqual({ kind: 'plaza', differentialReport: undefined, subgraphDedup: true, coalesceFetches: true, inboundDedup: false, typeConditionedFetching: false });
    expect(config.workers).toBe(1);
  });

  it("keeps Apollo's executor and the differential mode available", () => {
    expect(loadConfig({ GATEWAY_EXECUTOR: 'apollo' }).executor.kind).toBe('apollo');
    expect(loadConfig({ GATEWAY_EXECUTOR: 'differential', GATEWAY_DIFFERENTIAL_REPORT: '/tmp/d.jsonl' }).executor).toMatchObject({
      kind: 'differential',
      differentialReport: '/tmp/d.jsonl',
    });
  });

  it("plans with type-conditioned fetching on request, with Plaza's executor only", () => {
    expect(loadConfig({ GATEWAY_TYPE_CONDITIONED_FETCHING: 'true' }).executor.typeConditionedFetching).toBe(true);
    expect(() => loadConfig({ GATEWAY_TYPE_CONDITIONED_FETCHING: 'true', GATEWAY_EXECUTOR: 'differential' })).toThrow(/GATEWAY_EXECUTOR=plaza/);
    expect(() => loadConfig({ GATEWAY_TYPE_CONDITIONED_FETCHING: 'true', GATEWAY_EXECUTOR: 'apollo' })).toThrow(/GATEWAY_EXECUTOR=plaza/);
  });

  it('refuses an unknown executor and a worker count below one', () => {
    expect(() => loadConfig({ GATEWAY_EXECUTOR: 'fast' })).toThrow(/GATEWAY_EXECUTOR/);
    expect(() => loadConfig({ GATEWAY_WORKERS: '0' })).toThrow(/GATEWAY_WORKERS/);
  });
});
