import { createRequire } from 'node:module';

/**
 * graphql-js as graphql-ws and @apollo/subgraph load it (the CommonJS build). Under vitest our
 * TypeScript sources would get the ESM build instead: two instances, whose schemas fail each
 * other's realm checks and whose errors graphql-ws does not recognise (`instanceof`). Everything
 * the WebSocket server builds or runs against the subgraph schema comes from this one instance.
 */
const require = createRequire(import.meta.url);
const graphql = require('graphql') as typeof import('graphql');

export const { GraphQLError, createSourceEventStream, execute, parse, validate } = graphql;
