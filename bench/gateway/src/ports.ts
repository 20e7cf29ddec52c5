/**
 * Every port the harness uses, inside 5100-5199 (the range given to the benchmark on this shared
 * machine). One gateway runs at a time, always on GATEWAY_PORT.
 */
export const GATEWAY_PORT = 5100;

/** The Guild benchmark's subgraphs (also the URLs in guild/supergraph.graphql). */
export const GUILD_PORTS = {
  accounts: 5101,
  inventory: 5102,
  products: 5103,
  reviews: 5104,
  monolith: 5105,
} as const;

/** Plaza's subgraphs: PLAZA_PORT_BASE + their index in the registry (at most 40 of them). */
export const PLAZA_PORT_BASE = 5110;
export const PLAZA_PORT_LIMIT = 5149;
