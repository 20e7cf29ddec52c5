// Summarises a .cpuprofile: self time per function (top N) and per package.
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const pkg = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(/^file:\/\/\/work\/main\//, '');
  const key = `${n.callFrame.functionName || '(anon)'} ${url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  const p = m ? m[1]! : url.startsWith('gateway/') ? 'gateway' : url === '' ? `(${n.callFrame.functionName})` : url.startsWith('node:') ? 'node' : url.split('/')[0]!;
  pkg.set(p, (pkg.get(p) ?? 0) + dt);
});
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1e6).toFixed(1)} s\n--- by package\n${top(pkg, 15)}\n--- by function\n${top(self, Number(process.argv[3] ?? 30))}`);
