import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, invalidFields } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('deposits stored before schema version 2 (no source)', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let pool: pg.Pool;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
    pool = new pg.Pool({ connectionString: running.databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await running.close();
  });

  /** MoneyDeposited rows exactly as release 0.1 wrote them: schema_version 1, no `source`. */
  async function depositV1(accountId: string, amounts: number[]): Promise<void> {
    await pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
       SELECT $1, (SELECT max(stream_version) FROM events WHERE stream_id = $1) + n, gen_random_uuid(),
         'MoneyDeposited', 1, jsonb_build_object('accountId', $2::text, 'amount', amount, 'description', 'Old deposit')
       FROM unnest($3::bigint[]) WITH ORDINALITY AS a(amount, n)`,
      [`account-${accountId}`, accountId, amounts],
    );
  }

  it('folds them into the aggregate: later commands see their money', async () => {
    const opened = await api.open();
    await depositV1(opened.id, [300, 200]);

    const withdrawn = await api.withdraw(opened.id, 500);
    expect(withdrawn.version).toBe(4);
    const refused = await api.http().post(`/accounts/${opened.id}/withdrawals`).send({ amount: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ balance: 0, amount: 1 });
  });

  it('shows them with source unknown in the balance history', async () => {
    const opened = await api.open();
    await depositV1(opened.id, [300]);
    await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .send({ amount: 40, source: 'cash' })
      .expect(201);

    const res = await api.http().get(`/accounts/${opened.id}/history`).expect(200);

    expect(res.body.items.slice(1)).toEqual([
      expect.objectContaining({
        version: 2,
        amount: 300,
        balanceAfter: 300,
        source: 'unknown',
        description: 'Old deposit',
      }),
      expect.objectContaining({ version: 3, amount: 40, balanceAfter: 340, source: 'cash' }),
    ]);
    const asOf = await api.http().get(`/accounts/${opened.id}`).query({ atVersion: 2 }).expect(200);
    expect(asOf.body).toMatchObject({ balance: 300, version: 2 });
  });

  it('keeps them as stored in the raw stream, next to new deposits at version 2 with their source', async () => {
    const opened = await api.open();
    await depositV1(opened.id, [300]);
    await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .send({ amount: 40, source: 'card' })
      .expect(201);
    await api.deposit(opened.id, 2);

    const [, old, withSource, withoutSource] = await api.events(opened.id);
    expect(old).toMatchObject({ schemaVersion: 1, data: { amount: 300 } });
    expect(old.data).not.toHaveProperty('source');
    expect(withSource).toMatchObject({ schemaVersion: 2, data: { amount: 40, source: 'card' } });
    expect(withoutSource).toMatchObject({
      schemaVersion: 2,
      data: { amount: 2, source: 'unknown' },
    });
  });

  it('accepts only the documented sources, and none on a withdrawal', async () => {
    const opened = await api.open({ initialDeposit: 10 });
    const deposit = (body: object) => api.http().post(`/accounts/${opened.id}/deposits`).send(body);

    expect(invalidFields(await deposit({ amount: 1, source: 'cheque' }))).toEqual(['source']);
    expect(invalidFields(await deposit({ amount: 1, source: 'unknown' }))).toEqual(['source']);
    for (const source of ['cash', 'transfer', 'card', 'other'])
      await deposit({ amount: 1, source }).expect(201);
    const withdrawal = await api
      .http()
      .post(`/accounts/${opened.id}/withdrawals`)
      .send({ amount: 1, source: 'cash' });
    expect(invalidFields(withdrawal)).toEqual(['source']);
  });
});
