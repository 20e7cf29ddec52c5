import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { CLIENT_IP_HEADER, errors } from '@plaza/common/core';
import type { GatewayContext } from './context.js';

/**
 * Fetches from one subgraph: forwards the client's Authorization header (subgraphs verify it
 * themselves) and address, over the process's keep-alive HTTP pool (Node's fetch, undici).
 */
export class PlazaDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly subgraphName: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Health probes and schema loads have no client context.
    const { authorization, clientIp } = context as Partial<GatewayContext>;
    if (authorization) headers.set('authorization', authorization);
    if (clientIp) headers.set(CLIENT_IP_HEADER, clientIp);
  }

  /**
   * A subgraph that cannot be reached, or does not answer within the timeout, fails only the
   * fields it owns, with SERVICE_UNAVAILABLE naming it (not an internal error, and no address).
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (err) {
      if (err instanceof GraphQLError) throw err;
      throw errors.unavailable(`The ${this.subgraphName} service is unavailable; try again.`);
    }
  }
}
