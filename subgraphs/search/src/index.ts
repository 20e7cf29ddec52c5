export { search } from './subgraph.js';
export { createTextAnalyzer, type TextAnalyzer } from './analysis/index.js';
