import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_RESOLVERS, runSubgraphCodegen } from '@plaza/common/codegen';
import { SUBGRAPHS } from '../subgraphs.js';

describe.each(SUBGRAPHS.map((s) => [s.name, s.packageDir] as const))('generated resolver types of %s', (_name, dir) => {
  it('are up to date with its SDL (run `npm run codegen` when this fails)', async () => {
    const committed = readFileSync(join(dir, GENERATED_RESOLVERS), 'utf8');
    expect(committed).toBe(await runSubgraphCodegen(dir, { write: false }));
  }, 60_000);
});
