import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import request from './support/http.js';
import { createApp, type RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import { startTestApp, testConfig } from './support/test-app.js';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('data survives a restart', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('on the same database: the account, its statement, its stream and its Idempotency-Keys', async () => {
    running = await startTestApp();
    let api = accountsApi(running.app.getHttpServer());
    const opened = await api.open({
      ownerName: 'Before Restart',
      currency: 'GBP',
      initialDeposit: 1000,
    });
    await api.withdraw(opened.id, 250);
    const keyed = await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', `restart-${opened.id}`)
      .send({ amount: 5 })
      .expect(201);
    const before = await api.account(opened.id, keyed.body.position);
    const statementBefore = await api.statement(opened.id, keyed.body.position);
    const eventsBefore = await api.events(opened.id);

    await running.close();
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());

    const after = await api.http().get(`/accounts/${opened.id}`).expect(200);
    expect(after.body).toEqual(before);
    expect(before).toMatchObject({
      ownerName: 'Before Restart',
      currency: 'GBP',
      balance: 755,
      version: 4,
    });
    expect(after.headers.etag).toBe('"4"');
    expect(await api.statement(opened.id, keyed.body.position)).toEqual(statementBefore);
    expect(await api.events(opened.id)).toEqual(eventsBefore);

    const replay = await api
      .http()
      .post(`/accounts/${opened.id}/deposits`)
      .set('Idempotency-Key', `restart-${opened.id}`)
      .send({ amount: 5 })
      .expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(keyed.body);

    const next = await api.deposit(opened.id, 45);
    expect(next.version).toBe(5);
    expect(next.position).toBeGreaterThan(keyed.body.position);
    expect(await api.account(opened.id, next.position)).toMatchObject({ balance: 800, version: 5 });
  });

  it('on the embedded PostgreSQL: stop the server with the app, start again on the same data directory', async () => {
    const dataDir = resolve('.data', `e2e-embedded-${randomBytes(4).toString('hex')}`);
    const port = await freePort();
    const config = () => ({
      ...testConfig(),
      databaseUrl: undefined,
      embeddedPg: { port, dataDir },
    });
    try {
      running = await createApp(config());
      expect(running.databaseUrl).toContain(`:${port}/`);
      let api = accountsApi(running.app.getHttpServer());
      const opened = await api.open({
        ownerName: 'Embedded',
        currency: 'CHF',
        initialDeposit: 12_345,
      });
      const before = await api.account(opened.id, opened.position);

      await running.close();
      running = undefined;
      // The server is down with the app: nothing answers on its port.
      await expect(portIsFree(port)).resolves.toBe(true);

      running = await createApp(config());
      api = accountsApi(running.app.getHttpServer());
      const after = await request(running.app.getHttpServer())
        .get(`/accounts/${opened.id}`)
        .expect(200);
      expect(after.body).toEqual(before);
      expect(after.body).toMatchObject({
        ownerName: 'Embedded',
        currency: 'CHF',
        balance: 12_345,
        version: 2,
      });
      expect((await api.events(opened.id)).map((e) => e.type)).toEqual([
        'AccountOpened',
        'MoneyDeposited',
      ]);
    } finally {
      await running?.close();
      running = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer().once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}
