import { content } from './subgraph.js';

content.main();
