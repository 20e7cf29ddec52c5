export { content } from './subgraph.js';
