export { composeSupergraph, SUPERGRAPH_FILE } from './compose.js';
export { SUBGRAPHS, type SubgraphEntry } from './subgraphs.js';
