export { identity } from './subgraph.js';
