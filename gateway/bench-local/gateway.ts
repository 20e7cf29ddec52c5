// Runs Plaza's gateway (any GATEWAY_EXECUTOR) for local profiling, with a stats endpoint on
// a free port: GET /stats → { cpuMicros, rss, maxRssKb }.
import { createServer } from 'node:http';
import { loadConfig } from '../src/environment.js';
import { startGateway } from '../src/server.js';

const gateway = await startGateway(loadConfig());
const stats = createServer((_req, res) => {
  const cpu = process.cpuUsage();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss, maxRssKb: process.resourceUsage().maxRSS }));
});
await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
const { port } = stats.address() as import('node:net').AddressInfo;
console.log(JSON.stringify({ url: gateway.url, statsUrl: `http://127.0.0.1:${port}/stats` }));
const stop = async () => {
  stats.close();
  await gateway.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
