import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { accountsApi, expectProblem } from './support/accounts-api.js';
import { parseExposition, sampleValue, type Sample } from './support/prometheus.js';
import { startTestApp, testDatabaseUrl } from './support/test-app.js';

describe('GET /metrics', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  async function scrape(): Promise<Sample[]> {
    const res = await api.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(res.text);
  }

  /** How much each sample grew between two scrapes; an absent sample counts as 0. */
  function delta(before: Sample[], after: Sample[]) {
    return (name: string, labels: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
  }

  it('is the Prometheus text format, not JSON, with no ETag and the process metrics', async () => {
    const res = await api.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.etag).toBeUndefined();
    expect(res.text).toMatch(/^# HELP /m);
    const samples = parseExposition(res.text);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts appended events by type and times commands by outcome', async () => {
    const before = await scrape();

    const opened = await api.open({ initialDeposit: 100 });
    await api.deposit(opened.id, 50);
    await api.deposit(opened.id, 25);
    expectProblem(
      await api.http().post(`/accounts/${opened.id}/withdrawals`).send({ amount: 10_000 }),
      422,
      'insufficient-funds',
    );

    const grew = delta(before, await scrape());
    const appended = (type: string) => grew('chronicle_events_appended_total', { type });
    expect(appended('AccountOpened')).toBe(1);
    expect(appended('MoneyDeposited')).toBe(3);
    expect(appended('WithdrawalRejected')).toBe(1);
    expect(appended('MoneyWithdrawn')).toBe(0);

    const commands = (command: string, outcome: string) =>
      grew('chronicle_command_duration_seconds_count', { command, outcome });
    expect(commands('OpenAccountCommand', 'ok')).toBe(1);
    expect(commands('DepositMoneyCommand', 'ok')).toBe(2);
    expect(commands('WithdrawMoneyCommand', 'rejected')).toBe(1);
    expect(commands('WithdrawMoneyCommand', 'ok')).toBe(0);
    expect(commands('DepositMoneyCommand', 'error')).toBe(0);
    expect(
      grew('chronicle_command_duration_seconds_bucket', {
        command: 'DepositMoneyCommand',
        outcome: 'ok',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(
      grew('chronicle_command_duration_seconds_sum', {
        command: 'DepositMoneyCommand',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
  });

  it('does not count the events of a retried command again when they were already stored', async () => {
    const opened = await api.open();
    const key = `metrics-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount: 70 });
    const before = await scrape();

    const first = await send().expect(201);
    // As if the process had died before storing the response: the retry runs the command again.
    const db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      await db.query(
        `UPDATE idempotency_keys SET state = 'pending', status_code = NULL, response_headers = NULL,
           response_body = NULL, created_at = now() - interval '31 seconds'
         WHERE key LIKE '% ' || $1`,
        [key],
      );
    } finally {
      await db.end();
    }
    const retry = await send().expect(201);
    expect(retry.body).toEqual(first.body);

    const grew = delta(before, await scrape());
    expect(
      grew('chronicle_command_duration_seconds_count', {
        command: 'DepositMoneyCommand',
        outcome: 'ok',
      }),
    ).toBe(2);
    expect(grew('chronicle_events_appended_total', { type: 'MoneyDeposited' })).toBe(1);
  });

  it('reports the accounts projection at scrape time', async () => {
    const opened = await api.open({ initialDeposit: 10 });
    await api.account(opened.id, opened.position);

    const samples = await scrape();
    const states = samples.filter(
      (s) => s.name === 'chronicle_projection_status' && s.labels.projection === 'accounts',
    );
    expect(states.filter((s) => s.value === 1)).toHaveLength(1);
    expect(states.every((s) => s.value === 0 || s.value === 1)).toBe(true);

    for (const name of [
      'chronicle_projection_lag_events',
      'chronicle_projection_lag_seconds',
      'chronicle_projection_processed_total',
    ]) {
      expect(sampleValue(samples, name, { projection: 'accounts' })).toBeGreaterThanOrEqual(0);
    }
  });

  it('still answers when the projection engine cannot report, without the projection series', async () => {
    const runner = running.app.get(ProjectionRunner);
    const status = Object.getOwnPropertyDescriptor(runner, 'status');
    Object.defineProperty(runner, 'status', {
      configurable: true,
      value: () => Promise.reject(new Error('engine unavailable')),
    });
    try {
      const samples = await scrape();
      expect(samples.filter((s) => s.name.startsWith('chronicle_projection_'))).toEqual([]);
      expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    } finally {
      if (status) Object.defineProperty(runner, 'status', status);
      else delete (runner as Partial<ProjectionRunner>).status;
    }
    expect((await scrape()).some((s) => s.name === 'chronicle_projection_status')).toBe(true);
  });
});
