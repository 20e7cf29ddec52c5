#!/usr/bin/env node
// Check that Redis at REDIS_URL (default redis://127.0.0.1:6379) answers PING.
// Plain RESP over a socket (node:net / node:tls for rediss://), no dependency.
// Sends AUTH first when the URL has a password. Prints one line; exit 0/1.
import net from 'node:net';
import tls from 'node:tls';

const DEFAULT_URL = 'redis://127.0.0.1:6379';
const raw = process.env.REDIS_URL || DEFAULT_URL;
const TIMEOUT_MS = 3000;

function fail(msg) {
  console.error(`redis: ERROR: ${msg}`);
  process.exit(1);
}

let url;
try {
  url = new URL(raw);
} catch {
  fail(`REDIS_URL is not a valid URL ('${raw}'); expected e.g. ${DEFAULT_URL}`);
}
if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
  fail(`REDIS_URL must start with redis:// or rediss:// (got ${url.protocol}//)`);
}
const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
const port = Number(url.port || 6379);
const where = `${host}:${port}`;
const user = decodeURIComponent(url.username || '');
const pass = decodeURIComponent(url.password || '');

const resp = (...args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const commands = [];
if (pass) commands.push(user ? resp('AUTH', user, pass) : resp('AUTH', pass));
commands.push(resp('PING'));

const socket = url.protocol === 'rediss:'
  ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
  : net.connect({ host, port });
socket.setTimeout(TIMEOUT_MS, () => {
  socket.destroy();
  fail(`no answer from ${where} within ${TIMEOUT_MS} ms; check that Redis runs there, or set REDIS_URL`);
});
socket.on('error', (err) => {
  if (err.code === 'ECONNREFUSED') fail(`nothing listens on ${where} (connection refused); start Redis (e.g. redis-server) or set REDIS_URL`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') fail(`cannot resolve host '${host}' from REDIS_URL; fix REDIS_URL`);
  fail(`${where}: ${err.message}`);
});
socket.on('connect', () => socket.write(commands.join('')));

let buf = '';
let expected = commands.length;
socket.on('data', (chunk) => {
  buf += chunk.toString('utf8');
  let idx;
  while ((idx = buf.indexOf('\r\n')) !== -1) {
    const line = buf.slice(0, idx);
    buf = buf.slice(idx + 2);
    if (line.startsWith('-')) {
      const msg = line.slice(1);
      if (/without any password configured/i.test(msg)) {
        fail(`${where} has no password set but REDIS_URL carries one; remove it from REDIS_URL`);
      }
      if (/^(NOAUTH|WRONGPASS|ERR AUTH|ERR invalid password|ERR Client sent AUTH)/i.test(msg)) {
        fail(`${where} refused authentication (${msg}); put the password in REDIS_URL, e.g. redis://:PASSWORD@${where}`);
      }
      fail(`${where} answered an error: ${msg}`);
    }
    expected -= 1;
    if (expected === 0) {
      if (line !== '+PONG') fail(`${where} answered '${line.slice(0, 40)}' to PING; is this really Redis? check REDIS_URL`);
      console.log(`redis: PING -> PONG from ${where}`);
      socket.end();
      process.exit(0);
    }
  }
});
socket.on('close', () => fail(`${where} closed the connection before answering PING; is this really Redis? check REDIS_URL`));
