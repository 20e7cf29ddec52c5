import { runSubgraphCodegen } from '@plaza/common/codegen';
import { SUBGRAPHS } from '@plaza/schema';

/**
 * `npm run codegen`: regenerates every registered subgraph's resolver types from its SDL (its
 * codegen.ts). The output is committed; a test fails when it is stale.
 */
for (const subgraph of SUBGRAPHS) {
  await runSubgraphCodegen(subgraph.packageDir, { write: true });
  console.log(`codegen: ${subgraph.name} resolver types written`);
}
