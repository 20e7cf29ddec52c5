import { randomInt } from 'node:crypto';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
  /** The raw response body, for assertions that nothing leaks anywhere in it. */
  raw: string;
}

/** A fake client address, unique per client, so per-IP rate limits of parallel tests stay apart. */
function fakeIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** A GraphQL-over-HTTP client as a frontend would use: plain POSTs with a bearer token. */
export class GraphQLClient {
  readonly ip: string;

  constructor(
    readonly url: string,
    readonly token?: string,
    ip?: string,
  ) {
    this.ip = ip ?? fakeIp();
  }

  withToken(token: string | undefined): GraphQLClient {
    return new GraphQLClient(this.url, token, this.ip);
  }

  async request<T>(
    query: string,
    variables?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': this.ip,
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const raw = await res.text();
    let body: { data?: T | null; errors?: GraphQLErrorShape[] } = {};
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      body = { errors: [{ message: `non-JSON response (${res.status}): ${raw.slice(0, 200)}` }] };
    }
    return { status: res.status, data: body.data, errors: body.errors, raw };
  }

  /** Like request, but fails the test on any GraphQL error, returning data. */
  async ok<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.request<T>(query, variables);
    if (res.errors?.length || !res.data) {
      throw new Error(`GraphQL errors (${res.status}): ${JSON.stringify(res.errors ?? res.raw)}`);
    }
    return res.data;
  }
}

/** The `extensions.code` of the first error, if any. */
export function errorCode(res: GraphQLResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
