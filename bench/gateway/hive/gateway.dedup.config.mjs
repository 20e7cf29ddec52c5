// Hive Gateway with its inbound in-flight request deduplication on (identical client requests
// in flight at once share one execution), otherwise as gateway.config.mjs.
export const gatewayConfig = {
  inboundInflightRequestDeduplication: true,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
  },
};
