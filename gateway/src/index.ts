export { startGateway, type RunningGateway } from './server.js';
export { loadConfig, type GatewayConfig } from './environment.js';
