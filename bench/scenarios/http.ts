import { randomUUID } from 'node:crypto';
import { EventBus } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import type { RunningApp } from '../../src/app.factory.js';
import { PG_POOL, PostgresEventStore } from '../../src/event-store/index.js';
import { TokenVerifier } from '../../src/identity/token-verifier.js';
import { ProjectionRunner } from '../../src/projections/index.js';
import { bareAuthenticator } from '../baseline/bare-auth.js';
import { BARE_PREFIX, installBareRoutes } from '../baseline/bare-routes.js';
import { INSERT_ONE } from '../baseline/baseline-sql.js';
import { alternate, type Side } from '../harness/alternate.js';
import { accountIds, opened, streamOf } from '../harness/fixtures.js';
import { createBenchApp, drainer, httpLoad, listen } from '../harness/http-app.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_PUBLIC_KEY, benchToken } from '../harness/identity.js';
import { LagProbe } from '../harness/lag-probe.js';
import { profiled } from '../harness/profile.js';
import { logStatements, resetStatements } from '../harness/statements.js';
import { maxOf, percentile, type Measurement } from '../harness/stats.js';
import {
  atLeast,
  compared,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from './scenario.js';

/**
 * The real app (createApp: validation, interceptors, CQRS buses, repository, projections) listening on 127.0.0.1,
 * against bare Express routes on the same Express instance and pg pool; autocannon runs in a child process.
 */
export const httpScenario: Scenario = {
  id: 'http',
  async run(context) {
    const running = await createBenchApp(context);
    try {
      const pool = running.app.get<Pool>(PG_POOL);
      installBareRoutes(
        running.app,
        pool,
        bareAuthenticator({
          key: BENCH_PUBLIC_KEY,
          issuer: BENCH_ISSUER,
          audience: BENCH_AUDIENCE,
          role: 'teller',
        }),
      );
      return await measureHttp(context, running, await listen(running));
    } finally {
      await running.close();
    }
  },
};

async function measureHttp(
  context: ScenarioContext,
  running: RunningApp,
  baseUrl: string,
): Promise<ScenarioResult[]> {
  const { sizes } = context;
  const app = running.app;
  const store = app.get(PostgresEventStore);
  const runner = app.get(ProjectionRunner);
  const pool = app.get<Pool>(PG_POOL);
  const ids = accountIds(sizes.httpAccounts, 'http');
  // The bench's accounts have no owner (staff only): tellers move their money, 50 of them, each with a token.
  const tokens = Array.from({ length: 50 }, (_, i) => benchToken(`teller-${i}`, ['teller']));
  let warm = sizes.warmups > 0;

  const load = httpLoad({ baseUrl, ids, tokens, sizes, warm: () => warm });
  const drain = drainer(store, runner);
  const openAccounts = async () => {
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((id) => store.append(streamOf(id), [opened(id)], { expectedVersion: 'no-stream' })),
      );
    }
    runner.notify();
    await drain();
  };

  const lags: number[] = [];
  let probe: LagProbe | undefined;
  let rounds = 0;
  const deposits: [Side, Side] = [
    {
      prepare: async () => {
        await drain();
        await pool.query(
          'TRUNCATE events, account_balances, account_transactions, idempotency_keys',
        );
        await pool.query(
          `UPDATE projection_checkpoints SET transaction_id = '0', global_position = 0`,
        );
        await openAccounts();
        probe = new LagProbe(runner, app.get(EventBus));
      },
      measure: () => profiled('http-deposit', () => load('POST', '/accounts/{id}/deposits')),
      settle: async () => {
        await drain();
        probe!.stop();
        if (probe!.unseen > 0)
          throw new Error(`${probe!.unseen} published events were never seen by the lag probe`);
        if (!warm) lags.push(...probe!.lagsMs);
      },
    },
    {
      prepare: async () => {
        await pool.query('TRUNCATE bench_baseline_events');
        for (const id of ids) {
          const event = opened(id);
          await pool.query(INSERT_ONE, [
            streamOf(id),
            1,
            randomUUID(),
            event.type,
            JSON.stringify(event.data),
            '{}',
          ]);
        }
      },
      measure: () => load('POST', `${BARE_PREFIX}/accounts/{id}/deposits`),
      settle: async () => void (warm = ++rounds < sizes.warmups),
    },
  ];
  context.log(
    `  POST /accounts/:id/deposits, autocannon ${sizes.httpConnections} connections, ${sizes.httpSeconds} s`,
  );
  await resetStatements(pool);
  const depositResult = compared(
    {
      id: 'http-deposit',
      title: `POST /accounts/:id/deposits over HTTP (autocannon, ${sizes.httpConnections} connections) vs a bare Express route doing the same INSERT`,
      unit: 'req/s',
      target: atLeast(0.5),
      notes: [
        `${sizes.httpSeconds} s per measurement over ${sizes.httpAccounts} accounts drawn at random; p50/p99 from autocannon. ` +
          'Bare route: INSERT … SELECT max(stream_version) + 1 (retry on unique violation), no read of the stream.',
      ],
    },
    await alternate(
      { rounds: sizes.httpRounds, warmups: sizes.warmups, log: context.log },
      ...deposits,
    ),
  );

  await logStatements(pool, context.log);
  const identityResult = await measureIdentity(
    context,
    running,
    load,
    async () => {
      await drain();
      await pool.query('TRUNCATE events, account_balances, account_transactions, idempotency_keys');
      await pool.query(
        `UPDATE projection_checkpoints SET transaction_id = '0', global_position = 0`,
      );
      await openAccounts();
    },
    drain,
    tokens[0],
  );

  warm = sizes.warmups > 0;
  rounds = 0;
  const reads: [Side, Side] = [
    { measure: () => profiled('http-get', () => load('GET', '/accounts/{id}')) },
    {
      measure: () => load('GET', `${BARE_PREFIX}/accounts/{id}`),
      settle: async () => void (warm = ++rounds < sizes.warmups),
    },
  ];
  context.log(
    `  GET /accounts/:id, autocannon ${sizes.httpConnections} connections, ${sizes.httpSeconds} s`,
  );
  const getResult = compared(
    {
      id: 'http-get',
      title: 'GET /accounts/:id over HTTP vs a bare Express route doing the same SELECT',
      unit: 'req/s',
      target: atLeast(0.7),
      notes: [
        `${sizes.httpSeconds} s per measurement over ${sizes.httpAccounts} accounts; p50/p99 from autocannon`,
      ],
    },
    await alternate(
      { rounds: sizes.httpRounds, warmups: sizes.warmups, log: context.log },
      ...reads,
    ),
  );

  const lag: ScenarioResult = {
    id: 'projection-lag',
    title: 'projection lag (commit to visible in the read model) under the HTTP deposit load',
    unit: 'ms',
    target: { kind: 'report', text: 'p99 reported' },
    status: 'reported',
    figures: lags.length
      ? {
          'p50 (ms)': round2(percentile(lags, 50)),
          'p99 (ms)': round2(percentile(lags, 99)),
          'max (ms)': round2(maxOf(lags)),
          events: lags.length,
        }
      : { events: 0 },
    notes: [
      'every deposit of the measured rounds: from the publish after commit to the accounts checkpoint passing it',
    ],
  };
  return [depositResult, identityResult, getResult, lag];
}

/**
 * What knowing the caller costs the deposit route: the app as it runs (every request's bearer token verified, or
 * found among the tokens verified before) against the same app whose verifier answers a fixed principal.
 */
async function measureIdentity(
  context: ScenarioContext,
  running: RunningApp,
  load: (method: 'POST', path: string) => Promise<Measurement>,
  clean: () => Promise<void>,
  drain: () => Promise<void>,
  token: string,
): Promise<ScenarioResult> {
  const { sizes } = context;
  const verifier = running.app.get(TokenVerifier);
  const verify = verifier.verify.bind(verifier);
  const principal = await verify(token);
  const sides: [Side, Side] = [
    { prepare: clean, measure: () => load('POST', '/accounts/{id}/deposits'), settle: drain },
    {
      prepare: async () => {
        await clean();
        verifier.verify = () => Promise.resolve(principal);
      },
      measure: () => load('POST', '/accounts/{id}/deposits'),
      settle: async () => {
        verifier.verify = verify;
        await drain();
      },
    },
  ];
  context.log(`  identity on POST /accounts/:id/deposits: tokens verified vs a fixed principal`);
  return compared(
    {
      id: 'http-identity',
      title:
        'POST /accounts/:id/deposits with every bearer token verified (RS256, 50 clients) vs the same app with a fixed principal',
      unit: 'req/s',
      target: atLeast(0.95),
      notes: [
        'both sides run the whole pipeline (AccessGuard, policy, rate limits); only TokenVerifier.verify differs. ' +
          'A token is verified once, then found in the verifier cache until its exp or for 5 minutes.',
      ],
    },
    await alternate(
      { rounds: sizes.httpRounds, warmups: sizes.warmups, log: context.log },
      ...sides,
    ),
  );
}

const round2 = (value: number) => Math.round(value * 100) / 100;
