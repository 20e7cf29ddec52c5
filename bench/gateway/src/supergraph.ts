/** Reading and rewriting a supergraph's subgraph list (the join__Graph enum). Pure: unit-tested. */

export interface JoinGraph {
  /** The enum value, e.g. CONTENT. */
  enumValue: string;
  /** The subgraph's name, e.g. content. */
  name: string;
  url: string;
}

const JOIN_GRAPH = /^(\s*)([A-Z0-9_]+)(\s+@join__graph\(\s*name:\s*"([^"]+)"\s*,\s*url:\s*")([^"]*)("\s*\))/gm;

export function joinGraphs(supergraphSdl: string): JoinGraph[] {
  return [...supergraphSdl.matchAll(JOIN_GRAPH)].map((m) => ({ enumValue: m[2] ?? '', name: m[4] ?? '', url: m[5] ?? '' }));
}

/** The same supergraph with the URLs of the named subgraphs replaced; every name must be known. */
export function withSubgraphUrls(supergraphSdl: string, urls: Readonly<Record<string, string>>): string {
  const known = new Set(joinGraphs(supergraphSdl).map((g) => g.name));
  for (const name of Object.keys(urls)) if (!known.has(name)) throw new Error(`the supergraph has no subgraph named ${name}`);
  return supergraphSdl.replace(JOIN_GRAPH, (whole, indent: string, enumValue: string, mid: string, name: string, url: string, end: string) =>
    `${indent}${enumValue}${mid}${urls[name] ?? url}${end}`,
  );
}
