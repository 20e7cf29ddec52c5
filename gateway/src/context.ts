import type { IncomingMessage } from 'node:http';
import { clientIp, type TokenVerifier, type Viewer } from '@plaza/common/core';

/** Per-operation context of the gateway, over HTTP and WebSocket alike. */
export interface GatewayContext {
  viewer: Viewer | null;
  /** The client's Authorization header, forwarded to subgraphs (each verifies it itself). */
  authorization: string | undefined;
  clientIp: string;
}

/**
 * Verifies the bearer token before any planning: a bad, expired or revoked token is
 * UNAUTHENTICATED (HTTP 401), never silently anonymous.
 */
export async function contextFromHttp(
  req: IncomingMessage,
  verifier: TokenVerifier,
  trustProxy: boolean,
): Promise<GatewayContext> {
  const authorization = req.headers.authorization;
  const viewer = await verifier.fromAuthorization(authorization);
  return { viewer, authorization, clientIp: clientIp(req, { trustProxy }) };
}
