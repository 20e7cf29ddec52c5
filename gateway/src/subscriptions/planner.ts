import type { DocumentNode, ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { ForwardedHeaders } from '../executor/index.js';

/** One result of the primary subscription, as the owning subgraph sent it over graphql-ws. */
export interface UpstreamEvent {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/**
 * A subscription operation planned once (Apollo's QueryPlanner: a `SubscriptionNode`) and ready
 * to run per event.
 */
export interface PreparedSubscription {
  /** The subgraph that owns the subscription field (the plan's `primary` fetch goes there). */
  service: string;
  /** The primary fetch's operation, as the planner wrote it for that subgraph. */
  query: string;
  operationName: string | undefined;
  /** The client variables the primary fetch uses. */
  variableUsages: readonly string[];
  /**
   * Completes one event: runs the plan's `rest` from the event's data with the subscriber's
   * forwarded headers (their own authorization), and shapes the answer to the client's selection.
   * `event.data` is merged into in place.
   */
  resolve(event: UpstreamEvent, variables: Record<string, unknown> | undefined, headers: ForwardedHeaders): Promise<ExecutionResult>;
}

/** Plans subscription operations and runs their `rest` with the gateway's plan executor. */
export interface SubscriptionPlanner {
  /** Which executor runs the `rest` plans: the one that runs queries and mutations. */
  readonly executor: 'plaza' | 'apollo';
  /** Throws a GraphQLError for an operation the planner refuses. */
  prepare(document: DocumentNode, operationName: string | undefined): PreparedSubscription;
  /** Subgraph requests sent so far to complete events (the `rest` fetches). */
  fetches(): number;
}
