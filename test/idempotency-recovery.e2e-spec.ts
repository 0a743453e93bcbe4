import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, countBy, expectProblem } from './support/accounts-api.js';
import { startTestApp, testDatabaseUrl } from './support/test-app.js';

/**
 * A process that dies after appending events but before storing the response leaves its Idempotency-Key
 * pending; 30 seconds later a retry may run the command again. The retry must answer what actually
 * happened the first time, whatever the account looks like now.
 */
describe('Idempotency-Key after a crash between the write and the response', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let db: pg.Client;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await running.close();
  });

  /** The state the key is in when the process died mid-request, 31 seconds ago: pending, no stored response. */
  async function crashedMidRequest(key: string): Promise<void> {
    const { rowCount } = await db.query(
      `UPDATE idempotency_keys SET state = 'pending', status_code = NULL, response_headers = NULL, response_body = NULL,
         created_at = now() - interval '31 seconds'
       WHERE key LIKE '% ' || $1`,
      [key],
    );
    expect(rowCount).toBe(1);
  }

  it('a retried deposit answers the first result and deposits once', async () => {
    const opened = await api.open();
    const key = `crash-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount: 70 });

    const first = await send().expect(201);
    await crashedMidRequest(key);
    await api.deposit(opened.id, 1);
    const retry = await send().expect(201);

    expect(retry.body).toEqual(first.body);
    const events = await api.events(opened.id);
    expect(countBy(events, (e) => e.type)).toEqual({ AccountOpened: 1, MoneyDeposited: 2 });
    expect((await api.account(opened.id, events[events.length - 1].position)).balance).toBe(71);
  });

  it('a retried refusal stays a 422 even if the money has arrived since, and withdraws nothing', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const key = `crash-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('Idempotency-Key', key)
        .send({ amount: 500 });

    const refusal = expectProblem(await send(), 422, 'insufficient-funds');
    await crashedMidRequest(key);
    const topUp = await api.deposit(opened.id, 1000);
    const retry = await send();

    expect(expectProblem(retry, 422, 'insufficient-funds')).toEqual(refusal);
    const events = await api.events(opened.id);
    expect(countBy(events, (e) => e.type)).toEqual({
      AccountOpened: 1,
      MoneyDeposited: 2,
      WithdrawalRejected: 1,
    });
    expect((await api.account(opened.id, topUp.position)).balance).toBe(1100);
  });

  it('a retried withdrawal that went through stays a 201 even if the balance has gone since', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const key = `crash-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('Idempotency-Key', key)
        .send({ amount: 60 });

    const first = await send().expect(201);
    await crashedMidRequest(key);
    const drained = await api.withdraw(opened.id, 40);
    const retry = await send();

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(countBy(await api.events(opened.id), (e) => e.type)).toEqual({
      AccountOpened: 1,
      MoneyDeposited: 1,
      MoneyWithdrawn: 2,
    });
    expect((await api.account(opened.id, drained.position)).balance).toBe(0);
  });

  it('a retried POST /accounts answers 201 with the same account, not "already opened"', async () => {
    const key = `crash-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post('/accounts')
        .set('Idempotency-Key', key)
        .send({ ownerName: 'Crash', currency: 'EUR', initialDeposit: 9 });

    const first = await send().expect(201);
    await crashedMidRequest(key);
    const retry = await send();

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(`/accounts/${first.body.id}`);
    expect((await api.events(first.body.id)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);
  });

  it('a retry after a 5xx whose write went through runs under the first run and deposits once', async () => {
    const opened = await api.open();
    const key = `lost-${randomUUID()}`;
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount: 25 });

    const stored = await send().expect(201);
    // What a 503 after the commit leaves: the write is in, the answer was an error, the key is remembered as failed.
    const { rowCount } = await db.query(
      `UPDATE idempotency_keys SET state = 'failed', status_code = NULL, response_body = NULL WHERE key LIKE '% ' || $1`,
      [key],
    );
    expect(rowCount).toBe(1);
    await api.deposit(opened.id, 1);
    const retry = await send();

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(stored.body);
    expect(countBy(await api.events(opened.id), (e) => e.type)).toEqual({
      AccountOpened: 1,
      MoneyDeposited: 2,
    });
    const again = await send();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(stored.body);
  });

  it('a retry with another body after a 5xx is refused while the key is remembered', async () => {
    const opened = await api.open();
    const key = `lost-${randomUUID()}`;
    const url = `/accounts/${opened.id}/deposits`;
    await api.http().post(url).set('Idempotency-Key', key).send({ amount: 25 }).expect(201);
    await db.query(`UPDATE idempotency_keys SET state = 'failed' WHERE key LIKE '% ' || $1`, [key]);

    const other = await api.http().post(url).set('Idempotency-Key', key).send({ amount: 26 });

    expectProblem(other, 422, 'idempotency-key-reused');
    expect(countBy(await api.events(opened.id), (e) => e.type)).toEqual({
      AccountOpened: 1,
      MoneyDeposited: 1,
    });
  });
});
