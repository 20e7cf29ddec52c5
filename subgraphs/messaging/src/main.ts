import { messaging } from './subgraph.js';

messaging.main();
