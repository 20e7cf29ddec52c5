import { identity } from './subgraph.js';

identity.main();
