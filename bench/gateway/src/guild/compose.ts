import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { GUILD_DIR, GUILD_SUBGRAPHS, guildSdl } from './subgraphs.js';
import { GUILD_PORTS } from '../ports.js';

/**
 * Composes the Guild benchmark's four subgraphs into guild/supergraph.graphql, with the URLs the
 * harness serves them at (127.0.0.1, ports GUILD_PORTS). `npm run compose` in bench/gateway.
 */
export const GUILD_SUPERGRAPH = join(GUILD_DIR, 'supergraph.graphql');

export function composeGuild(): string {
  const result = composeServices(
    GUILD_SUBGRAPHS.map((name) => ({
      name,
      typeDefs: parse(guildSdl(name)),
      url: `http://127.0.0.1:${GUILD_PORTS[name]}/graphql`,
    })),
  );
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(GUILD_SUPERGRAPH, composeGuild());
  console.log(`wrote ${GUILD_SUPERGRAPH}`);
}
