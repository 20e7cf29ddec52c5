import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { parse, type DocumentNode } from 'graphql';
import 'graphiql/style.css';
import { EXPLORER_CONFIG_ELEMENT_ID, type ExplorerPageConfig } from '../config.js';

function readConfig(): ExplorerPageConfig {
  const element = document.getElementById(EXPLORER_CONFIG_ELEMENT_ID);
  if (!element?.textContent) throw new Error(`#${EXPLORER_CONFIG_ELEMENT_ID} is missing from the page`);
  return JSON.parse(element.textContent) as ExplorerPageConfig;
}

const DEFAULT_QUERY = `# Plaza explorer: GraphiQL served by the gateway
# itself, so it works without internet.
#
# Signed in: get a token with the login mutation,
# then open Headers (below) and add
#   { "Authorization": "Bearer <accessToken>" }
# Subscriptions use graphql-ws on the same URL;
# the same header signs the connection in.
#
# Run: Ctrl-Enter. Complete: Ctrl-Space.
# Docs: the book icon on the left.

query {
  __typename
}
`;

const config = readConfig();
// Monaco's language services run in web workers; the gateway serves the three bundles on its
// own origin (the page's CSP allows no other), so nothing is fetched from a CDN.
window.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = label === 'json' ? config.workers.json : label === 'graphql' ? config.workers.graphql : config.workers.editor;
    return new Worker(url, { type: 'module' });
  },
};

const wsScheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
// Queries and mutations over HTTP; subscriptions over graphql-ws, where the toolkit sends the
// headers editor's contents as `connection_init` params (the gateway reads `Authorization`).
const toolkitFetcher = createGraphiQLFetcher({
  url: config.graphqlPath,
  subscriptionUrl: `${wsScheme}//${window.location.host}${config.graphqlPath}`,
});

function parseOrUndefined(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined; // sent as is over HTTP: the server reports the syntax error
  }
}

// The toolkit picks the transport from `documentAST`, which GraphiQL updates after a debounce:
// run right after an edit, a subscription would go over HTTP. Parse the query actually sent.
const fetcher: Fetcher = (params, opts) =>
  toolkitFetcher(params, { ...opts, documentAST: parseOrUndefined(params.query) ?? opts?.documentAST });

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from the page');
createRoot(root).render(
  <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} isHeadersEditorEnabled shouldPersistHeaders={false}>
    <GraphiQL.Logo>
      <a className="plaza-explorer-logo" href={config.graphqlPath} title="Apollo Sandbox (needs Apollo's CDN)">
        Plaza explorer
      </a>
    </GraphiQL.Logo>
  </GraphiQL>,
);
