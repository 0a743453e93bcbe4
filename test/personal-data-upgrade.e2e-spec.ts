import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SealOwnerNames1765000001000 } from '../src/accounts/migrations/1765000001000-seal-owner-names.js';
import type { RunningApp } from '../src/app.factory.js';
import { SealShippingAddresses1765000001100 } from '../src/carts/migrations/1765000001100-seal-shipping-addresses.js';
import { dataSourceOptions } from '../src/database/database.options.js';
import { accountsApi } from './support/accounts-api.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { startTestApp } from './support/test-app.js';

/** The migrations that seal the read models, run over read models written in clear by the release before. */
describe('upgrading read models that held personal data in clear', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const migrations = [new SealOwnerNames1765000001000(), new SealShippingAddresses1765000001100()];
  const onScratch = async (work: (db: DataSource) => Promise<void>) => {
    const db = new DataSource({
      ...dataSourceOptions(scratch.url, 1),
      migrationsRun: false,
      logging: false,
    });
    await db.initialize();
    try {
      await work(db);
    } finally {
      await db.destroy();
    }
  };

  it('drops the rows in clear, and the projections fold them again sealed', async () => {
    running = await startTestApp({ databaseUrl: scratch.url });
    const accounts = accountsApi(running.app.getHttpServer());
    const carts = cartsApi(running.app.getHttpServer());
    const ownerName = `Eve Upgraded ${randomUUID()}`;
    const address = { ...ADDRESS, street: `${randomUUID()} Upgrade Rd` };
    const { id: accountId } = await accounts.open({ ownerName, initialDeposit: 700 });
    const { id: cartId } = await carts.create();
    await carts.add(cartId);
    const head = await carts.ship(cartId, address);
    await carts.cart(cartId, head.position);
    await accounts.account(accountId, head.position);
    await running.close();
    running = undefined;

    // The schema and rows of the release before: the name and the address in clear, the projections caught up.
    await onScratch(async (db) => {
      const runner = db.createQueryRunner();
      for (const migration of [...migrations].reverse()) await migration.down(runner);
      await runner.release();
      await db.query(
        `INSERT INTO account_balances (id, owner_name, currency, balance, version, opened_at, updated_at)
         VALUES ($1, $2, 'EUR', 700, 2, now(), now())`,
        [accountId, ownerName],
      );
      await db.query(
        `INSERT INTO carts (id, customer_id, status, currency, items, total, shipping, version, created_at, updated_at)
         VALUES ($1, gen_random_uuid(), 'open', 'EUR', '[]', 0, $2, 3, now(), now())`,
        [cartId, JSON.stringify(address)],
      );
      await db.query(
        `UPDATE projection_checkpoints SET (transaction_id, global_position, status) =
           (SELECT transaction_id, global_position, 'live' FROM events ORDER BY global_position DESC LIMIT 1)
         WHERE name IN ('accounts', 'carts')`,
      );
    });
    expect(await scratch.tablesContaining(ownerName)).toEqual(['public.account_balances']);
    expect(await scratch.tablesContaining(address.street)).toEqual(['public.carts']);

    await onScratch(async (db) => {
      const runner = db.createQueryRunner();
      for (const migration of migrations) await migration.up(runner);
      await runner.release();
    });
    expect(await scratch.tablesContaining(ownerName)).toEqual([]);
    expect(await scratch.tablesContaining(address.street)).toEqual([]);
    const { rows } = await scratch.pool.query(
      `SELECT name, global_position::int AS position, status FROM projection_checkpoints
       WHERE name IN ('accounts', 'carts') ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'accounts', position: 0, status: 'catching-up' },
      { name: 'carts', position: 0, status: 'catching-up' },
    ]);

    running = await startTestApp({ databaseUrl: scratch.url });
    const again = accountsApi(running.app.getHttpServer());
    expect(await again.account(accountId, head.position)).toMatchObject({
      ownerName,
      balance: 700,
    });
    const cart = await cartsApi(running.app.getHttpServer()).cart(cartId, head.position);
    expect(cart.shipping).toEqual(address);
    expect(await scratch.tablesContaining(ownerName)).toEqual([]);
    expect(await scratch.tablesContaining(address.street)).toEqual([]);
  });
});
