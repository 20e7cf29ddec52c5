import type { Results } from './results.js';
import type { VariantSummary } from './stats.js';

/** bench/results/gateway.md from the results JSON. Pure: unit-tested. */

const n = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '–' : x.toFixed(digits));

function row(s: VariantSummary): string {
  const rounds = s.reqPerSecRounds.map((r) => r.toFixed(1)).join(' / ');
  const failures = s.failures.length > 0 ? ` ⚠ ${s.failures.length} failed` : '';
  return `| ${s.title}${failures} | **${n(s.reqPerSec)}** (${rounds || '–'}) | ${n(s.p50Ms, 0)} | ${n(s.p99Ms, 0)} | ${s.errors} / ${s.non2xx} / ${s.graphqlErrors} | ${n(s.peakRssMb, 0)} | ${n(s.gatewayCpuMsPerReq, 2)} | ${n(s.subgraphCpuMsPerReq, 2)} | ${n(s.subgraphRequestsPerReq, 2)} |`;
}

export function renderMarkdown(r: Results): string {
  const lines: string[] = [];
  lines.push('# Gateway benchmark', '');
  lines.push(`Generated ${r.generatedAt} by \`${r.command}\`. Method and definitions: [bench/gateway/README.md](../gateway/README.md).`, '');
  lines.push('## Machine and versions', '');
  lines.push('| | |', '| --- | --- |');
  lines.push(`| CPU | ${r.machine.cpuModel}, ${r.machine.cores} cores |`);
  lines.push(`| memory | ${r.machine.memoryGb} GB |`);
  lines.push(`| OS | ${r.machine.os} |`);
  lines.push(`| load average at start (1, 5, 15 min) | ${r.machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(', ')} |`);
  for (const [name, version] of Object.entries(r.versions)) lines.push(`| ${name} | ${version} |`);
  lines.push('');
  const o = r.options;
  lines.push(
    `Load: autocannon, ${o.connections} connections, ${o.warmupSeconds} s warm-up then ${o.durationSeconds} s measured, ${o.rounds} alternating rounds (odd rounds in the order below, even rounds reversed), ${o.workers === 1 ? 'one process per gateway' : `${o.workers} worker processes per gateway`}. Figures are medians over rounds (peak RSS: the largest).`,
    '',
  );
  for (const g of r.graphs) {
    lines.push(`## ${g.title}`, '');
    lines.push(
      `Answers checked before loading: ${g.answers.requests} distinct request${g.answers.requests === 1 ? '' : 's'}, reference from ${g.answers.referenceFrom} (${g.answers.referenceBytes} bytes in all); ${g.answers.mismatches.length === 0 ? 'every gateway answered the same.' : `**differences**: ${g.answers.mismatches.join('; ')}`}`,
      '',
    );
    lines.push('| gateway | req/s (rounds) | p50 ms | p99 ms | errors / non-2xx / GraphQL errors | peak RSS MB | gateway CPU ms/req | subgraph CPU ms/req | subgraph req/req |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of g.summary) lines.push(row(s));
    lines.push('');
    const failures = g.summary.flatMap((s) => s.failures.map((f) => `${s.title}, ${f}`));
    if (failures.length > 0) lines.push('Failures:', '', ...failures.map((f) => `- ${f}`), '');
    const samples = g.runs.filter((run) => run.load?.errorSample).map((run) => `- ${run.variant}, round ${run.round}: \`${(run.load?.errorSample ?? '').replace(/`/g, "'").slice(0, 300)}\``);
    if (samples.length > 0) lines.push('First error answer of runs that had some:', '', ...samples, '');
    lines.push('| target | measured | met |', '| --- | --- | --- |');
    for (const t of g.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : 'no'} |`);
    lines.push('');
    const details = Object.entries(g.details).filter(([k]) => k !== 'mix' && k !== 'limit');
    for (const [k, v] of details) lines.push(`- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const mix = g.details.mix as { postPages?: number; profiles?: number; tagPages?: number; distinctRequests?: number; withToken?: number } | undefined;
    if (mix)
      lines.push(
        `- mix: ${mix.distinctRequests} distinct requests (${mix.postPages} post pages, ${mix.profiles} user profiles, ${mix.tagPages} posts-by-tag pages), ${mix.withToken} with a viewer's token; each connection cycles through them from its own offset`,
      );
    if (typeof g.details.limit === 'string') lines.push(`- the limit: ${g.details.limit}`);
    lines.push('', 'Commands (as run from the repository root):', '');
    for (const [v, c] of Object.entries(g.variants)) {
      if (v === 'limit') continue;
      const env = Object.entries(c.env)
        .map(([k, val]) => `${k}=${val}`)
        .join(' ');
      lines.push(`- ${v}: \`${env ? `${env} ` : ''}${c.command}\``);
    }
    lines.push('');
  }
  lines.push('![req/s and p99 per gateway](gateway.svg)', '');
  return lines.join('\n');
}
