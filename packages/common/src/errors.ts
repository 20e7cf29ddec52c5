import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { z } from 'zod';

/** The error codes of the public API (extensions.code). One registry for every service. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));

function error(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export const errors = {
  unauthenticated: (message = 'Sign in to do this.') => error(ErrorCode.UNAUTHENTICATED, message),
  /** For a bad, expired or revoked bearer token: never treated as anonymous. */
  invalidToken: (message = 'The access token is invalid, expired or revoked.') =>
    error(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } }),
  forbidden: (message = 'You are not allowed to do this.') => error(ErrorCode.FORBIDDEN, message),
  badInput: (field: string, message: string) => error(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field }),
  notFound: (what: string) => error(ErrorCode.NOT_FOUND, `${what} not found.`),
  conflict: (field: string, message: string) => error(ErrorCode.CONFLICT, message, { field }),
  rateLimited: (retryAfterSeconds: number) =>
    error(ErrorCode.RATE_LIMITED, `Too many attempts. Try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    }),
  unavailable: (message: string) => error(ErrorCode.SERVICE_UNAVAILABLE, message),
};

/** The first zod issue of a failed parse, as BAD_USER_INPUT naming the field. */
export function badInputFromZod(err: z.ZodError, prefix?: string): GraphQLError {
  const issue = err.issues[0];
  const path = [prefix, ...(issue?.path ?? [])].filter((p) => p !== undefined && p !== '').join('.');
  return errors.badInput(path || 'input', issue?.message ?? 'invalid value');
}

/** Parses input with a zod schema, throwing BAD_USER_INPUT naming the field on failure. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badInputFromZod(result.error, prefix);
  return result.data;
}

/**
 * Keeps public error codes as they are and masks everything else: an unexpected error's message
 * may hold internals (SQL, hosts), so clients get a generic one and the log gets the original.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  original: unknown,
  log: (err: unknown) => void,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return formatted;
  }
  // GraphQL validation and parse errors are the client's own and safe to show.
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_REQUEST' ||
      code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'OPERATION_RESOLUTION_FAILURE') {
    return formatted;
  }
  log(original);
  return { ...formatted, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
