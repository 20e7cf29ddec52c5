/**
 * A child process of the social benchmark: starts the subgraphs named in BENCH_SUBGRAPHS
 * (comma-separated) from its environment and, with BENCH_GATEWAY=1, a gateway in front of them;
 * tells the parent their URLs over IPC and stops everything when asked. The servers run apart
 * from the benchmark's clients, so the clients' work does not slow them (nor the reverse).
 */
import { closeAll, type Closer } from '@plaza/common';
import { loadConfig, startGateway } from '@plaza/gateway';
import { SUBGRAPHS } from '@plaza/schema';

const only = (process.env.BENCH_SUBGRAPHS ?? 'social').split(',').filter(Boolean);
const closers: Closer[] = [];
const urls: Record<string, string> = {};
for (const subgraph of SUBGRAPHS) {
  if (!only.includes(subgraph.name)) continue;
  const server = await subgraph.start(process.env);
  closers.unshift(server.close);
  urls[subgraph.name] = server.url;
}
let gatewayUrl: string | undefined;
if (process.env.BENCH_GATEWAY === '1') {
  const gateway = await startGateway(
    loadConfig({
      ...process.env,
      TRUST_PROXY: 'true',
      ...Object.fromEntries(Object.entries(urls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
    }),
  );
  closers.unshift(() => gateway.close());
  gatewayUrl = gateway.url;
}
process.send?.({ type: 'ready', urls, gatewayUrl });
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  closeAll(closers).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
