/**
 * A child process of the chat benchmark: starts subgraphs of the registry (all of them, or the
 * ones named in BENCH_SUBGRAPHS, comma-separated) from its environment, tells the parent their
 * URLs over IPC, answers `cpu` with its CPU time, and stops them on `stop` or when the parent goes away.
 */
import { closeAll, type Closer } from '@plaza/common';
import { SUBGRAPHS } from '@plaza/schema';
import { serveParent } from './child.js';

const only = process.env.BENCH_SUBGRAPHS?.split(',').filter(Boolean);
const closers: Closer[] = [];
const urls: Record<string, string> = {};
serveParent({ cpu: () => ({ cpu: process.cpuUsage() }) }, () => closeAll(closers));
for (const subgraph of SUBGRAPHS) {
  if (only && !only.includes(subgraph.name)) continue;
  const server = await subgraph.start(process.env);
  closers.unshift(server.close);
  urls[subgraph.name] = server.url;
}
process.send?.({ type: 'ready', urls });
