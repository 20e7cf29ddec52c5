// Prints the query plan of the Guild benchmark query (for reading, not a test).
import { parse } from 'graphql';
import { prettyFormatQueryPlan } from '@apollo/query-planner';
import { createSupergraphBundle } from '../src/executor/supergraph.js';
import { planOperation } from '../src/executor/prepare.js';
import { GUILD_QUERY, guildSubgraphs } from '../test/fixtures/guild.js';
import { startFixtureGraph } from '../test/support/fixture-graph.js';

const graph = await startFixtureGraph(guildSubgraphs);
const bundle = createSupergraphBundle(graph.supergraphSdl);
console.log(prettyFormatQueryPlan(planOperation(bundle, parse(GUILD_QUERY), undefined)));
await graph.close();
