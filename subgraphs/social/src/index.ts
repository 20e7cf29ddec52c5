export { social } from './subgraph.js';
