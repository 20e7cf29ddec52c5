import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsOutcome {
  /** Set when the server closed the socket. */
  closeCode?: number;
  closeReason?: string;
  acknowledged: boolean;
}

/** A graphql-ws client as a frontend would use it; no retries, so tests see close codes. */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): { client: Client; outcome: Promise<WsOutcome> } {
  let acknowledged = false;
  let settle: (o: WsOutcome) => void = () => {};
  const outcome = new Promise<WsOutcome>((resolve) => {
    settle = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // The outcome promise reports closes; graphql-ws would also print them to the console.
    onNonLazyError: () => {},
    connectionParams: () => connectionParams ?? {},
    on: {
      connected: () => {
        acknowledged = true;
        settle({ acknowledged });
      },
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        settle({ acknowledged, closeCode: e.code, closeReason: e.reason });
      },
    },
  });
  client.on('error', () => {});
  return { client, outcome };
}

/** Runs one operation over the socket and returns its first result. */
export function wsRequest<T>(client: Client, query: string, variables?: Record<string, unknown>): Promise<{ data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] } | undefined;
    client.subscribe<T>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => {
          result = value;
        },
        error: (err) => {
          if (Array.isArray(err)) resolve({ errors: err });
          else reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => resolve(result ?? {}),
      },
    );
  });
}
