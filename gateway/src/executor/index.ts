export { createSupergraphBundle, type SupergraphBundle } from './supergraph.js';
export { prepareOperation, planOperation, type PreparedOperation, type CompiledNode, type CompiledFetch } from './prepare.js';
export { executePrepared, executePlanNode, shapeResult, type ExecuteOptions, type PlanContext } from './execute.js';
export { createHttpTransport, type SubgraphTransport, type SubgraphRequest, type SubgraphResponse, type ForwardedHeaders } from './transport.js';
export { createPlazaGateway, type PlazaGateway, type PlazaGatewayOptions, type PlanRunner } from './gateway.js';
export { createDifferentialRunner, normalizeResult, type Mismatch, type RecordedFetch } from './differential.js';
