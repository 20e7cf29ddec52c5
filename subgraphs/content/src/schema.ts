import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/** The content subgraph's SDL, from content.graphql beside this file. */
export const typeDefs = parse(readFileSync(new URL('./content.graphql', import.meta.url), 'utf8'));
