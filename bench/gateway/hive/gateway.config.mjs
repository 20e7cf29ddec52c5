// Hive Gateway, as the benchmark runs it (with --jit on the command line): the client's
// Authorization header goes on to the subgraphs, as with every gateway in the comparison.
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
  },
};
