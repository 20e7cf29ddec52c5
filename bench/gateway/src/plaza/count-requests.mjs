// Loaded into each Plaza subgraph process by the benchmark (node --import <this file>): counts
// the HTTP requests its server receives, without touching the subgraph's code. GET
// /__bench/requests answers {"requests": n} (that request itself is not counted, and never
// reaches the subgraph). One integer increment per request: nothing measurable.
import http from 'node:http';

let served = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') {
    const [req, res] = args;
    if (req.method === 'GET' && req.url === '/__bench/requests') {
      const body = JSON.stringify({ requests: served });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    if (req.method === 'POST') served += 1;
  }
  return emit.call(this, event, ...args);
};
