import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  IN_STOCK,
  PRODUCTS,
  REVIEW_AUTHOR_ID,
  REVIEW_AUTHOR_USERNAME,
  REVIEWS,
  shippingEstimate,
  USER_REVIEWS,
  USERS,
  type ReviewRecord,
} from './data.js';

/** The four subgraphs of the Guild's benchmark, and "monolith" (the limit: everything in one). */
export const GUILD_SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type GuildSubgraphName = (typeof GUILD_SUBGRAPHS)[number];
export type GuildServiceName = GuildSubgraphName | 'monolith';

/** bench/gateway/guild: the SDLs, the query and the composed supergraph. */
export const GUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'guild');

export function guildSdl(name: GuildServiceName): string {
  return readFileSync(join(GUILD_DIR, `${name}.graphql`), 'utf8');
}

interface Keyed {
  id?: unknown;
  upc?: unknown;
  price?: unknown;
  weight?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A review as the reviews subgraph returns it: its product is a reference by upc. */
const reviewOut = (r: ReviewRecord) => ({ id: r.id, body: r.body, product: { upc: r.productUpc } });
/** Review.author in the reviews subgraph: user 1 with the provided username and two reviews. */
const reviewAuthor = () => ({ id: REVIEW_AUTHOR_ID, username: REVIEW_AUTHOR_USERNAME, reviews: USER_REVIEWS.map(reviewOut) });

const RESOLVERS: Record<GuildSubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, args: { id: string }) => USERS.find((u) => u.id === args.id) ?? null,
      users: () => USERS,
    },
    User: {
      __resolveReference: (ref: Keyed) => USERS.find((u) => u.id === str(ref.id)) ?? null,
    },
  },
  inventory: {
    Product: {
      // The representation carries the external price and weight (@requires).
      __resolveReference: (ref: Keyed) => {
        const upc = str(ref.upc);
        if (!(upc in IN_STOCK)) return null;
        return { upc, price: num(ref.price), weight: num(ref.weight), inStock: IN_STOCK[upc] };
      },
      shippingEstimate: (p: { price: number | null; weight: number | null }) => shippingEstimate(p.price, p.weight),
    },
  },
  products: {
    Query: {
      topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, args.first ?? 5),
    },
    Product: {
      __resolveReference: (ref: Keyed) => PRODUCTS.find((p) => p.upc === str(ref.upc)) ?? null,
    },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: Keyed) => {
        const r = REVIEWS.find((x) => x.id === str(ref.id));
        return r ? reviewOut(r) : null;
      },
      author: () => reviewAuthor(),
    },
    User: {
      // As in the original, any user's reviews are the first two.
      __resolveReference: (ref: Keyed) => ({ id: str(ref.id), reviews: USER_REVIEWS.map(reviewOut) }),
    },
    Product: {
      __resolveReference: (ref: Keyed) => ({ upc: str(ref.upc) }),
      reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.productUpc === p.upc).map(reviewOut),
    },
  },
};

/** The monolith's product: the three subgraphs' fields joined. */
const fullProduct = (upc: string) => {
  const p = PRODUCTS.find((x) => x.upc === upc);
  return p ? { ...p, inStock: IN_STOCK[upc] ?? null, shippingEstimate: shippingEstimate(p.price, p.weight) } : null;
};
const MONOLITH_RESOLVERS: GraphQLResolverMap<unknown> = {
  Query: {
    me: () => USERS[0],
    user: (_: unknown, args: { id: string }) => USERS.find((u) => u.id === args.id) ?? null,
    users: () => USERS,
    topProducts: (_: unknown, args: { first?: number | null }) =>
      PRODUCTS.slice(0, args.first ?? 5).map((p) => fullProduct(p.upc)),
  },
  User: { reviews: () => USER_REVIEWS },
  Product: { reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.productUpc === p.upc) },
  Review: {
    product: (r: ReviewRecord) => fullProduct(r.productUpc),
    author: () => USERS.find((u) => u.id === REVIEW_AUTHOR_ID),
  },
};

export function guildSchema(name: GuildServiceName): GraphQLSchema {
  const typeDefs = parse(guildSdl(name));
  return buildSubgraphSchema({ typeDefs, resolvers: name === 'monolith' ? MONOLITH_RESOLVERS : RESOLVERS[name] });
}
