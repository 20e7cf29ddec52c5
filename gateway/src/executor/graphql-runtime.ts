import { createRequire } from 'node:module';

/**
 * graphql-js as @apollo/federation-internals, @apollo/gateway and @apollo/server load it.
 *
 * graphql 16 ships both CommonJS (`main`) and ESM (`module`) builds. Node loads the CommonJS one
 * for everybody, but bundler-style resolvers (vite, so vitest) give TypeScript sources the ESM one
 * while the Apollo packages keep the CommonJS one: two graphql-js instances, whose schemas and
 * errors fail each other's `instanceof` checks ("Cannot use GraphQLSchema from another module or
 * realm"; a GraphQLError Apollo Server does not recognise is masked as an internal error). The
 * executor takes every graphql-js value it creates or checks from this one instance.
 */
const require = createRequire(import.meta.url);
const graphql = require('graphql') as typeof import('graphql');

export const GraphQLError = graphql.GraphQLError;
export type GraphQLError = import('graphql').GraphQLError;
export const Kind = graphql.Kind;
export const OperationTypeNode = graphql.OperationTypeNode;
export const { executeSync, getVariableValues, visit, isAbstractType, isInterfaceType, isObjectType, parse, print } = graphql;
