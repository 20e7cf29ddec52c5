import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CLIENT_IP_HEADER } from '@plaza/common';
import type { GatewayContext } from './context.js';

/**
 * Fetches from one subgraph: forwards the client's Authorization header (subgraphs verify it
 * themselves) and address, over the process's keep-alive HTTP pool (Node's fetch, undici).
 */
export class PlazaDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Health probes and schema loads have no client context.
    if ('authorization' in context && context.authorization) headers.set('authorization', context.authorization);
    if ('clientIp' in context && context.clientIp) headers.set(CLIENT_IP_HEADER, context.clientIp);
  }
}
