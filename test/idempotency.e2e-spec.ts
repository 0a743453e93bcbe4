import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { PostgresEventStore } from '../src/event-store/index.js';
import { IdempotencyKeysPurger } from '../src/http/idempotency-keys.purger.js';
import { accountsApi, countBy, expectProblem } from './support/accounts-api.js';
import { startTestApp, testDatabaseUrl } from './support/test-app.js';

describe('Idempotency-Key', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let db: pg.Client;

  beforeAll(async () => {
    running = await startTestApp();
    await running.app.listen(0, '127.0.0.1');
    api = accountsApi(running.app.getHttpServer());
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await running.close();
  });

  const key = () => `test-${randomUUID()}`;

  /** Accounts opened for an owner, counted in the event store itself (the name is stored encrypted). */
  async function accountsOpenedFor(ownerName: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata,
         recorded_at, transaction_id::text AS transaction_id
       FROM events WHERE type = 'AccountOpened'`,
    );
    const opened = await running.app.get(PostgresEventStore).decryptPersonalData(rows);
    return opened.filter((event) => event.data.ownerName === ownerName).length;
  }

  it('replays a repeated deposit: same status and body, Idempotent-Replayed, and no second event', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const k = key();
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('Idempotency-Key', k)
        .send({ amount: 40 });

    const first = await send();
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await send();
    const third = await send();

    for (const replay of [second, third]) {
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['content-type']).toMatch(/^application\/json/);
    }
    const events = await api.events(opened.id);
    expect(events.map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyDeposited',
    ]);
    expect((await api.account(opened.id, first.body.position)).balance).toBe(140);
  });

  it('refuses a malformed Idempotency-Key with 400 before running or remembering anything', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const badKey = `bad key ${'x'.repeat(200)}`;
    const res = await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', badKey)
      .send({ amount: 5 });
    expect(expectProblem(res, 400).errors).toEqual([
      expect.objectContaining({ field: 'idempotency-key' }),
    ]);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE '% ' || $1`,
      [badKey],
    );
    expect(rows[0].n).toBe(0);
    expect((await api.events(opened.id)).map((e: { type: string }) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);
  });

  it('treats the same JSON with its keys in another order as the same request', async () => {
    const opened = await api.open();
    const k = key();
    const url = `/accounts/${opened.id}/deposits`;
    const first = await api
      .http()
      .post(url)
      .set('Idempotency-Key', k)
      .send({ amount: 5, description: 'Tip' })
      .expect(201);
    const again = await api
      .http()
      .post(url)
      .set('Idempotency-Key', k)
      .set('Content-Type', 'application/json')
      .send('{ "description": "Tip", "amount": 5 }')
      .expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await api.events(opened.id)).toHaveLength(2);
  });

  it('refuses the same key with a different body with 422, and writes nothing', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const k = key();
    const url = `/accounts/${opened.id}/deposits`;
    const first = await api
      .http()
      .post(url)
      .set('Idempotency-Key', k)
      .send({ amount: 10 })
      .expect(201);

    const reused = await api.http().post(url).set('Idempotency-Key', k).send({ amount: 11 });
    expectProblem(reused, 422, 'idempotency-key-reused');

    const otherRoute = await api
      .http()
      .post(`/accounts/${opened.id}/withdrawals`)
      .set('Idempotency-Key', k)
      .send({ amount: 10 });
    expectProblem(otherRoute, 422, 'idempotency-key-reused');

    expect(await api.events(opened.id)).toHaveLength(3);
    const original = await api
      .http()
      .post(url)
      .set('Idempotency-Key', k)
      .send({ amount: 10 })
      .expect(201);
    expect(original.body).toEqual(first.body);
  });

  it('does not confuse different keys: the same body under two keys is two deposits', async () => {
    const opened = await api.open();
    await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', key())
      .send({ amount: 3 })
      .expect(201);
    const last = await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', key())
      .send({ amount: 3 })
      .expect(201);
    expect((await api.account(opened.id, last.body.position)).balance).toBe(6);
  });

  it('replays a refused withdrawal as the same 422 and records only one WithdrawalRejected', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    const k = key();
    const send = () =>
      api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('Idempotency-Key', k)
        .send({ amount: 150 });

    const first = await send();
    const refusal = expectProblem(first, 422, 'insufficient-funds');
    expect(refusal).toMatchObject({ balance: 100, amount: 150 });

    const replay = await send();
    expect(expectProblem(replay, 422, 'insufficient-funds')).toEqual(refusal);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    // Even once the money is there, the key still answers what it answered first.
    await api.deposit(opened.id, 1000);
    const later = await send();
    expect(later.status).toBe(422);
    expect(later.body).toEqual(refusal);

    const kinds = countBy(await api.events(opened.id), (e) => e.type);
    expect(kinds).toEqual({ AccountOpened: 1, MoneyDeposited: 2, WithdrawalRejected: 1 });
  });

  it('POST /accounts retried with the same key returns the same account and opens only one', async () => {
    const ownerName = `Retry ${randomUUID()}`;
    const k = key();
    const send = () =>
      api
        .http()
        .post('/accounts')
        .set('Idempotency-Key', k)
        .send({ ownerName, currency: 'EUR', initialDeposit: 500 });

    const first = await send();
    expect(first.status).toBe(201);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(`/accounts/${first.body.id}`);
    expect(retry.headers['idempotent-replayed']).toBe('true');

    expect(await accountsOpenedFor(ownerName)).toBe(1);
    expect((await api.events(first.body.id)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);
    expect((await api.account(first.body.id, first.body.position)).balance).toBe(500);
  });

  it('opens one account when the same key is sent ten times at once', async () => {
    const ownerName = `Burst ${randomUUID()}`;
    const k = key();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        api
          .http()
          .post('/accounts')
          .set('Idempotency-Key', k)
          .send({ ownerName, currency: 'EUR', initialDeposit: 500 }),
      ),
    );

    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const other of responses.filter((r) => r.status !== 201))
      expectProblem(other, 409, 'idempotency-key-in-progress');

    expect(await accountsOpenedFor(ownerName)).toBe(1);
    const id = created[0].body.id as string;
    expect((await api.events(id)).map((e) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited']);
  });

  it('does not remember a 400: the same key with the corrected request runs it', async () => {
    const opened = await api.open();
    const k = key();
    const send = (amount: number) =>
      api.http().post(`/accounts/${opened.id}/deposits`).set('Idempotency-Key', k).send({ amount });
    const first = expectProblem(await send(0), 400);
    const again = await send(0);
    expect(expectProblem(again, 400)).toEqual(first);
    expect(again.headers['idempotent-replayed']).toBeUndefined();

    const corrected = await send(7);
    expect(corrected.status).toBe(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect((await api.events(opened.id)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);
  });

  describe('once a key has expired', () => {
    /** The key as it is after IDEMPOTENCY_TTL_HOURS (24 h by default): forgotten. */
    async function expire(k: string): Promise<void> {
      const { rowCount } = await db.query(
        `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key LIKE '% ' || $1`,
        [k],
      );
      expect(rowCount).toBe(1);
    }

    it('runs the key with another body as a new command: stored, and answered as itself', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      const k = key();
      const deposit = (body: Record<string, unknown>) =>
        api.http().post(`/accounts/${opened.id}/deposits`).set('Idempotency-Key', k).send(body);
      const old = await deposit({ amount: 40, description: 'invoice-42' }).expect(201);
      await expire(k);

      const next = await deposit({ amount: 5000, description: 'next month' }).expect(201);

      expect(next.headers['idempotent-replayed']).toBeUndefined();
      expect(next.body.version).toBe(old.body.version + 1);
      const deposits = (await api.events(opened.id)).filter((e) => e.type === 'MoneyDeposited');
      expect(deposits.map((e) => e.data)).toEqual([
        expect.objectContaining({ amount: 100 }),
        expect.objectContaining({ amount: 40, description: 'invoice-42' }),
        expect.objectContaining({ amount: 5000, description: 'next month' }),
      ]);
      expect((await api.account(opened.id, next.body.position)).balance).toBe(5140);
    });

    it('refuses an overdraft under the key with 422, never the old success', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      const k = key();
      await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('Idempotency-Key', k)
        .send({ amount: 40 })
        .expect(201);
      await expire(k);

      const overdraft = await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('Idempotency-Key', k)
        .send({ amount: 999999 });

      expect(expectProblem(overdraft, 422, 'insufficient-funds')).toMatchObject({
        balance: 140,
        amount: 999999,
      });
      const kinds = countBy(await api.events(opened.id), (e) => e.type);
      expect(kinds).toEqual({ AccountOpened: 1, MoneyDeposited: 2, WithdrawalRejected: 1 });
    });

    it('runs even the same request again: the key no longer names the first run', async () => {
      const opened = await api.open();
      const k = key();
      const send = () =>
        api
          .http()
          .post(`/accounts/${opened.id}/deposits`)
          .set('Idempotency-Key', k)
          .send({ amount: 3 });
      await send().expect(201);
      await expire(k);
      const again = await send().expect(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect((await api.account(opened.id, again.body.position)).balance).toBe(6);
    });
  });

  it('purges expired keys in batches and keeps the remembered ones', async () => {
    const fresh = key();
    await db.query(
      `INSERT INTO idempotency_keys (key, request_hash, state, created_at)
       SELECT 'expired-' || i, 'h1:x', 'completed', now() - interval '25 hours' FROM generate_series(1, 2500) AS i`,
    );
    await db.query(
      `INSERT INTO idempotency_keys (key, request_hash, state) VALUES ($1, 'h1:x', 'completed')`,
      [fresh],
    );

    expect(await running.app.get(IdempotencyKeysPurger).purge()).toBeGreaterThanOrEqual(2500);

    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE key LIKE 'expired-%')::int AS expired,
              count(*) FILTER (WHERE key = $1)::int AS fresh FROM idempotency_keys`,
      [fresh],
    );
    expect(rows[0]).toEqual({ expired: 0, fresh: 1 });
  });

  it('keeps no plain hash of the body: the stored fingerprint is keyed', async () => {
    const opened = await api.open();
    const k = key();
    const body = { amount: 9, description: 'rent for Ada Lovelace' };
    await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', k)
      .send(body)
      .expect(201);
    const { rows } = await db.query(
      `SELECT request_hash FROM idempotency_keys WHERE key LIKE '% ' || $1`,
      [k],
    );
    const guessed = createHash('sha256')
      .update(
        `POST /accounts/${opened.id}/deposits\n{"amount":9,"description":"rent for Ada Lovelace"}`,
      )
      .digest('hex');
    expect(rows[0].request_hash).toMatch(/^h1:[0-9a-f]{64}$/);
    expect(rows[0].request_hash).not.toContain(guessed);
  });
});
