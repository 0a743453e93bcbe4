import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('account snapshots in the running app (SNAPSHOT_EVERY=5)', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let pool: pg.Pool;

  beforeAll(async () => {
    running = await startTestApp({ snapshotEvery: 5 });
    api = accountsApi(running.app.getHttpServer());
    pool = new pg.Pool({ connectionString: running.databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await running.close();
  });

  it('snapshots an account every 5 events and decides from the snapshot and the events after it', async () => {
    const opened = await api.open({ initialDeposit: 1000 });
    for (const amount of [10, 20, 30, 40]) await api.deposit(opened.id, amount);

    const { rows } = await pool.query(
      'SELECT stream_version, state_version, state FROM snapshots WHERE stream_id = $1',
      [`account-${opened.id}`],
    );
    // The state holds the owner's name: it is sealed under the account's personal-data key.
    expect(rows).toEqual([
      {
        stream_version: 5,
        state_version: 3,
        state: {
          $personal: {
            v: 1,
            subjects: [opened.id],
            iv: expect.any(String),
            data: expect.any(String),
          },
        },
      },
    ]);
    expect(JSON.stringify(rows[0].state)).not.toContain('Ada Lovelace');

    const refused = await api
      .http()
      .post(`/accounts/${opened.id}/withdrawals`)
      .send({ amount: 1101 });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ balance: 1100, version: 7 });
    await api.withdraw(opened.id, 1100);
  });

  it('time travel and the history answer from the snapshots, and pass over one that does not authenticate', async () => {
    const opened = await api.open({ initialDeposit: 100 });
    for (const amount of [1, 2, 3, 4]) await api.deposit(opened.id, amount);
    const answers = async () => ({
      atSnapshot: (await api.http().get(`/accounts/${opened.id}`).query({ atVersion: 5 })).body,
      atVersion: (await api.http().get(`/accounts/${opened.id}`).query({ atVersion: 6 })).body,
      asOf: (
        await api
          .http()
          .get(`/accounts/${opened.id}`)
          .query({ asOf: new Date(Date.now() + 1000).toISOString() })
      ).body,
      history: (await api.http().get(`/accounts/${opened.id}/history`).query({ fromVersion: 6 }))
        .body,
    });

    const fromSnapshot = await answers();
    expect(fromSnapshot.atSnapshot).toMatchObject({
      version: 5,
      balance: 106,
      ownerName: 'Ada Lovelace',
    });
    expect(fromSnapshot.atVersion).toMatchObject({ version: 6, balance: 110 });
    expect(fromSnapshot.asOf).toMatchObject({ version: 6, balance: 110 });
    expect(fromSnapshot.history.items).toMatchObject([{ version: 6, balanceAfter: 110 }]);

    await pool.query(
      `UPDATE snapshots SET state = jsonb_set(state, '{$personal,data}', '"AAAAAAAAAAAAAAAAAAAAAAAA"')
       WHERE stream_id = $1`,
      [`account-${opened.id}`],
    );
    expect(await answers()).toEqual(fromSnapshot);
  });
});
