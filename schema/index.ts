export { composeSupergraph, SUPERGRAPH_FILE } from './compose.js';
export { SUBGRAPHS, defaultSubgraphUrl } from './subgraphs.js';
