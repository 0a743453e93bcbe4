import { randomUUID } from 'node:crypto';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem, invalidFields } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { startTestApp } from './support/test-app.js';

interface DayVolume {
  day: string;
  currency: string;
  deposits: { count: number; sum: number };
  withdrawals: { count: number; sum: number };
  rejected: { count: number };
}

const DAY_MS = 86_400_000;
const utcDay = (epochMs = Date.now()) => new Date(epochMs).toISOString().slice(0, 10);
const plusDays = (day: string, days: number) => utcDay(Date.parse(day) + days * DAY_MS);

const volume = (
  day: string,
  currency: string,
  [depositCount, depositSum, withdrawalCount, withdrawalSum, rejectedCount]: number[],
): DayVolume => ({
  day,
  currency,
  deposits: { count: depositCount, sum: depositSum },
  withdrawals: { count: withdrawalCount, sum: withdrawalSum },
  rejected: { count: rejectedCount },
});

/**
 * History from before the report existed, with the instants it was recorded at: the store always records now(),
 * so these rows are inserted as an earlier deployment wrote them.
 */
async function recordHistory(db: ScratchDatabase): Promise<number> {
  const eur = randomUUID();
  const usd = randomUUID();
  const history: Array<[string, number, string, Record<string, unknown>, string]> = [
    [eur, 1, 'AccountOpened', { ownerName: 'Early', currency: 'EUR' }, '2025-03-31T09:00:00Z'],
    [eur, 2, 'MoneyDeposited', { amount: 10_000 }, '2025-03-31T09:00:00Z'],
    [eur, 3, 'MoneyDeposited', { amount: 2_500 }, '2025-03-31T23:59:59.999Z'],
    [usd, 1, 'AccountOpened', { ownerName: 'Early', currency: 'USD' }, '2025-04-01T01:30:00+02:00'],
    [usd, 2, 'MoneyDeposited', { amount: 700 }, '2025-04-01T01:30:00+02:00'],
    [eur, 4, 'MoneyWithdrawn', { amount: 4_000 }, '2025-04-01T00:00:00.000Z'],
    [
      eur,
      5,
      'WithdrawalRejected',
      { amount: 99_999, reason: 'insufficient-funds', balance: 8_500 },
      '2025-04-01T10:00:00Z',
    ],
    [usd, 3, 'MoneyWithdrawn', { amount: 200 }, '2025-04-02T00:00:00Z'],
  ];
  let last = 0;
  for (const [accountId, version, type, data, recordedAt] of history) {
    const { rows } = await db.pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING global_position`,
      [`account-${accountId}`, version, randomUUID(), type, { accountId, ...data }, recordedAt],
    );
    last = Number(rows[0].global_position);
  }
  return last;
}

describe('GET /reports/daily-volume', () => {
  let db: ScratchDatabase;
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let historyPosition: number;
  let checkpointsBeforeStart: unknown[];
  const report = (query: Record<string, string | number>) =>
    api.http().get('/reports/daily-volume').query(query);

  beforeAll(async () => {
    db = await scratchDatabase();
    historyPosition = await recordHistory(db);
    ({ rows: checkpointsBeforeStart } = await db.pool.query(
      `SELECT name FROM projection_checkpoints WHERE name = 'account-daily-volume'`,
    ));
    running = await startTestApp({ databaseUrl: db.url });
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(async () => {
    await running.close();
    await db.drop();
  });

  it('back-fills events stored before the projection ever ran, by UTC day and currency', async () => {
    expect(checkpointsBeforeStart).toEqual([]);

    const res = await report({
      from: '2025-03-31',
      to: '2025-04-02',
      consistentWith: historyPosition,
    }).expect(200);

    expect(res.body).toEqual({
      from: '2025-03-31',
      to: '2025-04-02',
      days: [
        volume('2025-03-31', 'EUR', [2, 12_500, 0, 0, 0]),
        volume('2025-03-31', 'USD', [1, 700, 0, 0, 0]),
        volume('2025-04-01', 'EUR', [0, 0, 1, 4_000, 1]),
        volume('2025-04-02', 'USD', [0, 0, 1, 200, 0]),
      ],
    });
  });

  it('includes both ends of the range and nothing outside it', async () => {
    const res = await report({ from: '2025-04-01', to: '2025-04-01' }).expect(200);
    expect(res.body).toEqual({
      from: '2025-04-01',
      to: '2025-04-01',
      days: [volume('2025-04-01', 'EUR', [0, 0, 1, 4_000, 1])],
    });

    const empty = await report({ from: '2025-03-01', to: '2025-03-30' }).expect(200);
    expect(empty.body.days).toEqual([]);
  });

  it('reads its own writes with consistentWith: deposits, withdrawals and refusals per currency', async () => {
    const first = utcDay();
    const eur = await api.open({ currency: 'EUR', initialDeposit: 10_000 });
    await api.deposit(eur.id, 2_500);
    await api.withdraw(eur.id, 4_000);
    await api
      .http()
      .post(`/accounts/${eur.id}/withdrawals`)
      .send({ amount: 1_000_000 })
      .expect(422);
    const gbp = await api.open({ currency: 'GBP', initialDeposit: 300 });
    const jpy = await api.open({ currency: 'JPY', initialDeposit: 1_000_000_000_000 });
    const last = await api.deposit(jpy.id, 999_999_999_999);
    const lastDay = utcDay();
    expect(gbp.position).toBeLessThan(last.position);

    const res = await report({ from: first, to: lastDay, consistentWith: last.position }).expect(
      200,
    );

    // Summed over the days: a run across midnight UTC splits the rows, not the totals.
    const totals = (currency: string) =>
      (res.body.days as DayVolume[])
        .filter((row) => row.currency === currency)
        .reduce(
          (sum, row) => [
            sum[0] + row.deposits.count,
            sum[1] + row.deposits.sum,
            sum[2] + row.withdrawals.count,
            sum[3] + row.withdrawals.sum,
            sum[4] + row.rejected.count,
          ],
          [0, 0, 0, 0, 0],
        );
    expect(totals('EUR')).toEqual([2, 12_500, 1, 4_000, 1]);
    expect(totals('GBP')).toEqual([1, 300, 0, 0, 0]);
    expect(totals('JPY')).toEqual([2, 1_999_999_999_999, 0, 0, 0]);
    expect(res.text).toContain('"sum":1999999999999');
    const order = (res.body.days as DayVolume[]).map((row) => `${row.day} ${row.currency}`);
    expect(order).toEqual([...order].sort());
  });

  it('defaults to the 30 days up to today (UTC), or up to `to`', async () => {
    const before = utcDay();
    const res = await report({}).expect(200);
    expect([before, utcDay()]).toContain(res.body.to);
    expect(res.body.from).toBe(plusDays(res.body.to, -29));

    const upTo = await report({ to: '2025-04-01' }).expect(200);
    expect(upTo.body).toMatchObject({ from: '2025-03-03', to: '2025-04-01' });
    expect(upTo.body.days.map((row: DayVolume) => row.day)).toEqual([
      '2025-03-31',
      '2025-03-31',
      '2025-04-01',
    ]);
  });

  it('takes a range of 366 days, both ends included', async () => {
    const res = await report({ from: '2024-04-02', to: '2025-04-02' }).expect(200);
    expect(res.body.days).toHaveLength(4);
  });

  it.each([
    ['a date not written YYYY-MM-DD', { from: '2025-4-1', to: '2025-04-02' }, ['from']],
    ['a date that is not in the calendar', { from: '2025-04-01', to: '2025-02-29' }, ['to']],
    ['year 0', { from: '0000-01-01', to: '0000-01-02' }, ['from', 'to']],
    ['a date with a time', { from: '2025-04-01T00:00:00Z' }, ['from']],
    ['from after to', { from: '2025-04-02', to: '2025-04-01' }, ['from']],
    ['from after the default to (today)', { from: '9999-01-01' }, ['from']],
    ['a range of 367 days', { from: '2024-03-31', to: '2025-04-01' }, ['from']],
    ['an unknown parameter', { currency: 'EUR' }, ['currency']],
    ['a consistentWith that is not a position', { consistentWith: 'soon' }, ['consistentWith']],
  ])('answers 400 problem+json naming the parameter for %s', async (_case, query, fields) => {
    const res = await report(query);
    expect(invalidFields(res).sort()).toEqual(fields);
  });

  it('explains a refused range in the problem', async () => {
    const inverted = expectProblem(
      await report({ from: '2025-04-02', to: '2025-04-01' }),
      400,
      'validation-failed',
    );
    expect(inverted.errors).toEqual([
      { field: 'from', messages: ['from must not be after to (2025-04-01)'] },
    ]);
    const tooLong = expectProblem(
      await report({ from: '2024-01-01', to: '2025-01-01' }),
      400,
      'validation-failed',
    );
    expect(tooLong.errors).toEqual([
      {
        field: 'from',
        messages: [
          'from must be at most 365 days before to (2025-01-01): a range spans at most 366 days',
        ],
      },
    ]);
  });

  it('refuses a repeated parameter instead of picking one', async () => {
    const res = await api.http().get('/reports/daily-volume?from=2025-04-01&from=2025-04-02');
    expect(invalidFields(res)).toEqual(['from']);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await request(running.app.getHttpServer()).get('/docs-json').expect(200)).body;
    const operation = doc.paths['/reports/daily-volume'].get;
    expect(
      operation.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`),
    ).toEqual(expect.arrayContaining(['query:from', 'query:to', 'query:consistentWith']));
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['DailyVolumeReport', 'DailyVolume', 'MoneyVolume']),
    );
  });
});
