import type { Resolvers } from './__generated__/resolvers.js';

export const resolvers: Resolvers = {
  Query: {
    search: (_, args, ctx) => ctx.search.search(args),
    searchSuggestions: (_, args, ctx) => ctx.search.suggest(args),
  },
  SearchResult: {
    __resolveType: (node) => node.__typename,
  },
};
