import type { AddressInfo } from 'node:net';
import { createApp, type RunningApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import type { PostgresEventStore } from '../../src/event-store/index.js';
import type { ProjectionRunner } from '../../src/projections/index.js';
import type { LoadInput, LoadOutput } from '../children/autocannon.child.js';
import type { ScenarioContext } from '../scenarios/scenario.js';
import { BENCH_APP_ENV } from './app-env.js';
import { runChild } from './children.js';
import type { Measurement } from './stats.js';

/** The real app as the HTTP scenarios run it (BENCH_APP_ENV), on the bench database. */
export function createBenchApp(context: ScenarioContext): Promise<RunningApp> {
  return createApp({ ...loadConfig(BENCH_APP_ENV), databaseUrl: context.db.url });
}

/** Listens on 127.0.0.1 at a free port; the base URL. */
export async function listen(running: RunningApp): Promise<string> {
  await running.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(running.app.getHttpServer().address() as AddressInfo).port}`;
}

export interface HttpLoad {
  baseUrl: string;
  /** Drawn at random for `{id}` in the path, and a token for every request. */
  ids: string[];
  tokens: string[];
  sizes: ScenarioContext['sizes'];
  /** Whether the next measurement is a warm-up (shorter). */
  warm(): boolean;
}

/** autocannon in a child process against one route; a deposit's body for POST. */
export function httpLoad({ baseUrl, ids, tokens, sizes, warm }: HttpLoad) {
  return async (method: 'GET' | 'POST', path: string): Promise<Measurement> => {
    const out = await runChild<LoadOutput>('autocannon', {
      baseUrl,
      method,
      path,
      ids,
      tokens,
      body: method === 'POST' ? { amount: 2500, description: 'Salary' } : undefined,
      connections: sizes.httpConnections,
      seconds: warm() ? sizes.httpWarmupSeconds : sizes.httpSeconds,
    } satisfies LoadInput);
    return {
      ops: out.ok,
      seconds: out.seconds,
      percentilesMs: out.latencyMs,
      counters: {
        errors: out.errors + out.timeouts,
        ...Object.fromEntries(
          Object.entries(out.failures).map(([status, n]) => [`http${status}`, n]),
        ),
      },
    };
  };
}

/**
 * Waits until the accounts projection has applied the whole log, and the log has stopped growing: requests the load
 * left in flight when it stopped commit afterwards, so the head is read again until it stays put for a while.
 */
export function drainer(store: PostgresEventStore, runner: ProjectionRunner, quietMs = 300) {
  return async (): Promise<void> => {
    for (let drained = -1; ;) {
      const head = await store.headPosition();
      if (head === drained) return;
      if (head > 0 && !(await runner.waitFor(head, ['accounts'], 120_000)))
        throw new Error('the projection did not drain');
      drained = head;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  };
}
