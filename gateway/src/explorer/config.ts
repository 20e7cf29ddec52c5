/**
 * What the explorer page hands to the browser bundle, as JSON in a non-executed
 * `<script type="application/json">` block (allowed by the page's CSP, unlike inline script).
 * Shared by the server (page.ts) and the browser entry (client/explorer.tsx): types only.
 */
export interface ExplorerPageConfig {
  /** Path of the GraphQL endpoint on the same origin, for HTTP and graphql-ws alike, e.g. `/graphql`. */
  graphqlPath: string;
  /** URLs of the three Monaco web workers, on the same origin. */
  workers: { editor: string; json: string; graphql: string };
}

/** Id of the JSON block holding the {@link ExplorerPageConfig}. */
export const EXPLORER_CONFIG_ELEMENT_ID = 'plaza-explorer-config';
