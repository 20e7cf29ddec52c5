import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESULTS_DIR } from './context.js';
import type { Results } from './results.js';

/**
 * An SVG of req/s and p99 latency per gateway, for each graph, drawn from the results JSON (no
 * external service, no library). `npm run plot [-- <results.json>]` redraws it.
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLORS: Record<string, string> = {
  plaza: '#d9480f',
  'plaza-dedup': '#f08c00',
  hive: '#1971c2',
  'hive-dedup': '#4dabf7',
  apollo: '#5c940d',
  limit: '#868e96',
};

interface Bar {
  variant: string;
  label: string;
  value: number | null;
}

function panel(x: number, y: number, width: number, title: string, unit: string, bars: readonly Bar[]): string {
  const labelWidth = 210;
  const barHeight = 18;
  const gap = 6;
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const plotWidth = width - labelWidth - 70;
  const out = [`<text x="${x}" y="${y}" font-size="13" font-weight="bold">${esc(title)}</text>`];
  bars.forEach((b, i) => {
    const by = y + 12 + i * (barHeight + gap);
    const w = b.value === null ? 0 : Math.max(1, (b.value / max) * plotWidth);
    out.push(`<text x="${x + labelWidth - 6}" y="${by + 13}" font-size="12" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${x + labelWidth}" y="${by}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLORS[b.variant] ?? '#495057'}"/>`);
    const text = b.value === null ? 'failed' : `${b.value >= 100 ? b.value.toFixed(0) : b.value.toFixed(1)} ${unit}`;
    out.push(`<text x="${x + labelWidth + w + 4}" y="${by + 13}" font-size="12">${esc(text)}</text>`);
  });
  return out.join('\n');
}

export function renderSvg(r: Results): string {
  const width = 1000;
  const parts: string[] = [];
  let y = 30;
  parts.push(
    `<text x="20" y="${y}" font-size="16" font-weight="bold">${esc(`Gateway benchmark: ${r.machine.cores} cores, ${r.options.connections} connections, ${r.options.durationSeconds} s × ${r.options.rounds} rounds (medians)`)}</text>`,
  );
  y += 20;
  parts.push(`<text x="20" y="${y}" font-size="11" fill="#495057">${esc(`${r.generatedAt} · Node ${r.machine.node} · ${r.machine.cpuModel}`)}</text>`);
  y += 30;
  for (const g of r.graphs) {
    parts.push(`<text x="20" y="${y}" font-size="14" font-weight="bold">${esc(g.title)}</text>`);
    y += 22;
    const bars = (pick: (s: (typeof g.summary)[number]) => number | null): Bar[] =>
      g.summary.map((s) => ({ variant: s.variant, label: s.title, value: s.rounds > 0 ? pick(s) : null }));
    parts.push(panel(20, y, width / 2 - 20, 'requests per second (higher is better)', 'req/s', bars((s) => s.reqPerSec)));
    parts.push(panel(width / 2 + 10, y, width / 2 - 20, 'p99 latency (lower is better)', 'ms', bars((s) => s.p99Ms)));
    y += 12 + g.summary.length * 24 + 36;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, 'Noto Sans CJK SC', sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const input = process.argv[2] ?? join(RESULTS_DIR, 'gateway.json');
  const output = input.replace(/\.json$/, '.svg');
  writeFileSync(output, renderSvg(JSON.parse(readFileSync(input, 'utf8')) as Results));
  console.log(`wrote ${output}`);
}
