import type { Subgraph } from '@plaza/common';
import { content } from '@plaza/content';
import { identity } from '@plaza/identity';
import { messaging } from '@plaza/messaging';
import { search } from '@plaza/search';
import { social } from '@plaza/social';

/**
 * THE registry of Plaza's subgraphs: composition, migrations, `npm start`, the end-to-end
 * harness and the checks of generated files all read this list. Adding a subgraph is its folder
 * (see README, "Adding a subgraph") plus one entry here. Order is composition order.
 */
export const SUBGRAPHS: readonly Subgraph[] = [identity, content, search, social, messaging];

/** Where the gateway reaches a subgraph by default (the checked-in supergraph's URL). */
export function defaultSubgraphUrl(subgraph: Pick<Subgraph, 'port'>): string {
  return `http://127.0.0.1:${subgraph.port}/graphql`;
}
