export { messaging } from './subgraph.js';
