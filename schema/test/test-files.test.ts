import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const VITEST = join(ROOT, 'node_modules', '.bin', 'vitest');

/** The suites `npm test` runs: the root projects, then the fault suite alone (scripts/test.sh). */
const SUITES = [
  { cwd: ROOT, args: [] },
  { cwd: join(ROOT, 'e2e'), args: ['--config', 'vitest.faults.config.ts'] },
];

/** Every test file in the repository, tracked or new (git's ignore rules leave out node_modules). */
function testFilesInRepo(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.test.ts', '*.spec.ts', '*.test.mts', '*.test.tsx'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean).sort();
}

/** The files vitest itself would run, asked the way `npm test` runs it. */
function testFilesVitestRuns(): string[] {
  const files = SUITES.flatMap(({ cwd, args }) => {
    const out = execFileSync(VITEST, ['list', '--filesOnly', '--json', ...args], { cwd, encoding: 'utf8' });
    return (JSON.parse(out) as { file: string }[]).map((f) => relative(ROOT, f.file));
  });
  return [...new Set(files)].sort();
}

describe('the test suite', () => {
  it('runs every test file in the repository: none sits outside a vitest project', () => {
    const runs = new Set(testFilesVitestRuns());
    expect(testFilesInRepo().filter((f) => !runs.has(f))).toEqual([]);
  }, 60_000);
});
