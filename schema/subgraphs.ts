import { join } from 'node:path';

export interface SubgraphEntry {
  name: string;
  /** Where the gateway reaches it by default (override with SUBGRAPH_URL_<NAME>). */
  url: string;
  /** The subgraph's SDL, relative to the repository root. */
  sdlPath: string;
}

/** Every subgraph of the supergraph, in composition order. */
export const SUBGRAPHS: readonly SubgraphEntry[] = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', sdlPath: join('subgraphs', 'identity', 'src', 'identity.graphql') },
  { name: 'content', url: 'http://127.0.0.1:4002/graphql', sdlPath: join('subgraphs', 'content', 'src', 'content.graphql') },
];
