export { startGateway, type RunningGateway } from './server.js';
export { loadConfig, type GatewayConfig } from './environment.js';
export { createExplorer, type Explorer, type ExplorerOptions } from './explorer/index.js';
export {
  createPlazaGateway,
  createSupergraphBundle,
  executePlanNode,
  executePrepared,
  prepareOperation,
  shapeResult,
  type PlazaGateway,
  type PreparedOperation,
  type SubgraphTransport,
  type SupergraphBundle,
} from './executor/index.js';
