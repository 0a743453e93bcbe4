import autocannon from 'autocannon';
import { childMain } from '../harness/children.js';

export interface LoadInput {
  baseUrl: string;
  method: 'GET' | 'POST';
  /** `{id}` is replaced by an id drawn at random for every request. */
  path: string;
  ids: string[];
  body?: unknown;
  connections: number;
  seconds: number;
}

export interface LoadOutput {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The load generator in its own process, so that it does not share the server's event loop. */
void childMain<LoadInput, LoadOutput>(async (input) => {
  const body = input.body === undefined ? undefined : JSON.stringify(input.body);
  const headers: Record<string, string> =
    body === undefined ? {} : { 'content-type': 'application/json' };
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
          headers,
          body,
        }),
      },
    ],
  });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
});
