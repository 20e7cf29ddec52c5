import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * Stock @apollo/gateway on @apollo/server 5's standalone server: the baseline "what you get out of
 * the box", as in the Guild's benchmark, plus forwarding the client's Authorization header to the
 * subgraphs (Plaza's graph answers per viewer; every gateway in the comparison forwards it).
 *
 *   SUPERGRAPH_PATH=... PORT=... [WORKERS=n] node dist/apollo-gateway.mjs   (built by run.sh with esbuild)
 */

interface Context {
  authorization: string | undefined;
}

class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<Context>['willSendRequest']>>[0]): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
  }
}

async function serve(): Promise<void> {
  const supergraphPath = process.env.SUPERGRAPH_PATH;
  if (!supergraphPath) throw new Error('SUPERGRAPH_PATH is required');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ url }) => new ForwardingDataSource({ url }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  console.log(`stock apollo gateway at ${url}`);
}

const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
