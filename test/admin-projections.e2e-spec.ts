import type { Test } from 'supertest';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem } from './support/accounts-api.js';
import { tokenFor } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { startTestApp } from './support/test-app.js';

const TOKEN = tokenFor('operations-admin', ['admin']);

describe('/admin/projections', () => {
  let running: RunningApp;
  const http = () => request(running.app.getHttpServer());

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  const admin = (req: Test) => req.set('Authorization', `Bearer ${TOKEN}`);

  it('answers 401 problem+json without a bearer token or with a tampered one, 403 to a customer', async () => {
    expectProblem(
      await http().get('/admin/projections').unset('Authorization'),
      401,
      'unauthorized',
    );
    const [head, , signature] = TOKEN.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'x', roles: ['admin'], exp: 9999999999 }),
    ).toString('base64url');
    expectProblem(
      await http()
        .get('/admin/projections')
        .set('Authorization', `Bearer ${head}.${forged}.${signature}`),
      401,
      'unauthorized',
    );
    expectProblem(
      await http()
        .post('/admin/projections/accounts/rebuild')
        .set('Authorization', `Bearer ${tokenFor('a-customer', ['customer'])}`),
      403,
      'forbidden',
    );
  });

  it('takes Idempotency-Key on its commands, as documented: the key reused on another command is a 422', async () => {
    const key = `admin-${Date.now()}`;
    const first = await admin(
      http().post('/admin/projections/nope/retry').set('Idempotency-Key', key),
    );
    expect(first.status).toBe(404);
    expectProblem(
      await admin(
        http()
          .post('/admin/projections/accounts/skip')
          .set('Idempotency-Key', key)
          .send({ position: 1 }),
      ),
      422,
      'idempotency-key-reused',
    );
  });

  it('reports every projection live and caught up with the write just made', async () => {
    const opened = await accountsApi(running.app.getHttpServer()).open({ initialDeposit: 500 });
    await http().get(`/accounts/${opened.id}?consistentWith=${opened.position}`).expect(200);

    const res = await admin(http().get('/admin/projections')).expect(200);
    const accounts = res.body.projections.find((p: { name: string }) => p.name === 'accounts');
    expect(accounts).toMatchObject({
      status: 'live',
      lagEvents: 0,
      lagMs: 0,
      lastError: null,
      rebuild: null,
      horizonHeldBy: null,
      owner: { instance: expect.stringContaining(`:${process.pid}`), pid: expect.any(Number) },
    });
    expect(accounts.checkpoint.position).toBeGreaterThanOrEqual(opened.position);
    expect(accounts.headPosition).toBeGreaterThanOrEqual(opened.position);
    expect(res.body.projections.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['accounts', 'account-daily-volume']),
    );
  });

  it('names an unknown projection and a bad skip request', async () => {
    const unknown = expectProblem(
      await admin(http().post('/admin/projections/nope/rebuild')),
      404,
      'unknown-projection',
    );
    expect(unknown.detail).toContain('"nope"');
    expectProblem(
      await admin(http().post('/admin/projections/accounts/skip')).send({ position: 'x' }),
      400,
    );
    expectProblem(
      await admin(http().post('/admin/projections/accounts/skip')).send({ position: 1 }),
      409,
      'nothing-to-skip',
    );
  });

  it('lists no dead letters for a healthy projection and resumes it on retry', async () => {
    await admin(http().get('/admin/projections/accounts/dead-letters')).expect(200, []);
    const res = await admin(http().post('/admin/projections/accounts/retry')).expect(200);
    expect(res.body).toMatchObject({ name: 'accounts', lastError: null });
  });

  it('reports live again once caught up after a retry, with no new event to apply', async () => {
    await admin(http().post('/admin/projections/accounts/retry')).expect(200);
    // The retry stored catching-up; the worker, live in memory, must store live at its next run (a poll).
    await eventually(async () => {
      const { body } = await admin(http().get('/admin/projections')).expect(200);
      const accounts = body.projections.find((p: { name: string }) => p.name === 'accounts');
      expect(accounts).toMatchObject({ status: 'live', lagEvents: 0 });
    }, 3_000);
  });
});
