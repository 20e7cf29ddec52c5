import type { IncomingMessage } from 'node:http';

/** Header the gateway sets with the client's address, for subgraphs behind it. */
export const CLIENT_IP_HEADER = 'x-plaza-client-ip';

/**
 * The client's address. Behind a trusted proxy (the gateway for subgraphs; a load balancer for the
 * gateway when TRUST_PROXY is on) it comes from the proxy's header; otherwise from the socket.
 */
export function clientIp(req: IncomingMessage, opts: { trustProxy: boolean; header?: string }): string {
  if (opts.trustProxy) {
    const raw = req.headers[opts.header ?? 'x-forwarded-for'];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const first = value?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
