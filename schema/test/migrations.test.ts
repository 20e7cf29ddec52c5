import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../subgraphs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DRIZZLE_KIT = join(ROOT, 'node_modules', '.bin', 'drizzle-kit');

describe.each(SUBGRAPHS.map((s) => [s.name, s.packageDir] as const))('drizzle migrations of %s', (name, dir) => {
  it('are up to date with src/db/schema.ts (run `npx drizzle-kit generate` in the subgraph when this fails)', () => {
    const out = mkdtempSync(join(tmpdir(), `plaza-migrations-${name}-`));
    try {
      cpSync(join(dir, 'drizzle'), out, { recursive: true });
      const before = readdirSync(out).length;
      // drizzle-kit wants the output folder relative to its working directory.
      const result = spawnSync(
        DRIZZLE_KIT,
        ['generate', '--dialect=postgresql', '--schema=./src/db/schema.ts', `--out=./${relative(dir, out)}`],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(result.stdout + result.stderr).toMatch(/No schema changes/);
      expect(readdirSync(out)).toHaveLength(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
