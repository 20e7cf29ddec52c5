import { search } from './subgraph.js';

search.main();
