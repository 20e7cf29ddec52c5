import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/** The identity subgraph's SDL, from identity.graphql beside this file. */
export const typeDefs = parse(readFileSync(new URL('./identity.graphql', import.meta.url), 'utf8'));
