import { AsyncLocalStorage } from 'node:async_hooks';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

/**
 * On Node 20 an AsyncLocalStorage that has run once hooks every promise of the process: a quarter of a deposit's
 * CPU (bench/findings.md). Nothing on the request path may enter one: not the database budget, not the request
 * logger (nestjs-pino's own middleware does, which is why the app logs requests through pino-http directly).
 */
describe('the request path', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  const entered: string[] = [];
  const run = AsyncLocalStorage.prototype.run;
  const enterWith = AsyncLocalStorage.prototype.enterWith;

  beforeAll(async () => {
    AsyncLocalStorage.prototype.run = function (
      this: AsyncLocalStorage<unknown>,
      ...args: Parameters<typeof run>
    ) {
      entered.push(new Error('run').stack ?? 'run');
      return run.apply(this, args);
    } as typeof run;
    AsyncLocalStorage.prototype.enterWith = function (this: AsyncLocalStorage<unknown>, store) {
      entered.push(new Error('enterWith').stack ?? 'enterWith');
      enterWith.call(this, store);
    };
    // From the start: one run at start-up would hook every promise as well.
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(async () => {
    AsyncLocalStorage.prototype.run = run;
    AsyncLocalStorage.prototype.enterWith = enterWith;
    await running.close();
  });

  it('enters no AsyncLocalStorage, from start-up on: open, deposit, withdraw, read with consistentWith, a refused request', async () => {
    const { id } = await api.open({ initialDeposit: 1000 });
    await api.deposit(id, 250, 'salary');
    const { position } = await api.withdraw(id, 100);
    expect((await api.account(id, position)).balance).toBe(1150);
    await api.http().post(`/accounts/${id}/withdrawals`).send({ amount: -1 }).expect(400);
    expect(entered).toEqual([]);
  });
});
