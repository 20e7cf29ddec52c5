import { social } from './subgraph.js';

social.main();
