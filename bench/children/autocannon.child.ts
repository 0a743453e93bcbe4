import autocannon from 'autocannon';
import { childMain } from '../harness/children.js';

export interface LoadInput {
  baseUrl: string;
  method: 'GET' | 'POST';
  /** `{id}` is replaced by an id drawn at random for every request. */
  path: string;
  ids: string[];
  /** Bearer tokens, one drawn at random for every request: the clients of the service, each with its own. */
  tokens: string[];
  body?: unknown;
  connections: number;
  seconds: number;
}

export interface LoadOutput {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** How many answers of each status other than 2xx: what went wrong, when something did. */
  failures: Record<string, number>;
  seconds: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The load generator in its own process, so that it does not share the server's event loop. */
void childMain<LoadInput, LoadOutput>(async (input) => {
  const body = input.body === undefined ? undefined : JSON.stringify(input.body);
  const headers: Record<string, string> =
    body === undefined ? {} : { 'content-type': 'application/json' };
  const failures: Record<string, number> = {};
  const result = await autocannon({
    url: input.baseUrl,
    connections: input.connections,
    duration: input.seconds,
    requests: [
      {
        method: input.method,
        setupRequest: (request) => ({
          ...request,
          path: input.path.replace('{id}', input.ids[Math.floor(Math.random() * input.ids.length)]),
          headers: {
            ...headers,
            authorization: `Bearer ${input.tokens[Math.floor(Math.random() * input.tokens.length)]}`,
          },
          body,
        }),
        onResponse: (status: number) => {
          if (status < 200 || status > 299) failures[status] = (failures[status] ?? 0) + 1;
        },
      },
    ],
  });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    failures,
    seconds: result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
});
