import { createRequire } from 'node:module';

/**
 * graphql-js as graphql-ws, Apollo Server and @apollo/gateway load it (the CommonJS build). Under
 * vitest TypeScript sources would get the ESM build: a second instance whose schema checks fail
 * on the gateway's schema ("from another module or realm"). Everything the subscription code
 * validates or builds against the API schema comes from this one instance (as in ../executor).
 */
const require = createRequire(import.meta.url);
const graphql = require('graphql') as typeof import('graphql');

export const { GraphQLError, getVariableValues, parse, print, validate, getOperationAST } = graphql;
export type GraphQLError = import('graphql').GraphQLError;
