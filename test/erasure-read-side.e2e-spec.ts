import { randomUUID } from 'node:crypto';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { PostgresEventStore } from '../src/event-store/index.js';
import { accountsApi } from './support/accounts-api.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { startTestApp, testConfig } from './support/test-app.js';

const E = '[erased]';

/** Erasure must not wait for the read side: whatever state the projections are in, the plaintext is gone at once. */
describe('erasure whatever state the projections are in', () => {
  let scratch: ScratchDatabase;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await scratch?.drop();
  });

  /** An instance on the scratch database; `projections: false` serves HTTP and never runs a projection. */
  const start = async ({ projections }: { projections: boolean }) => {
    const base = testConfig({ databaseUrl: scratch.url });
    const running = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...base.projections, run: projections },
      aggregateCache: { size: 100, ttlMs: 60_000 },
    });
    apps.push(running);
    return running;
  };
  const stop = async (running: RunningApp) => {
    apps.splice(apps.indexOf(running), 1);
    await running.close();
  };
  const http = (running: RunningApp) => request(running.app.getHttpServer());
  const projection = async (running: RunningApp, name: string) =>
    (
      (await http(running).get('/admin/projections').expect(200)).body.projections as Array<{
        name: string;
        status: string;
        lagEvents: number;
      }>
    ).find((p) => p.name === name)!;

  /** A distinctive owner and address, opened and projected while every projection runs. */
  const seed = async (running: RunningApp) => {
    const accounts = accountsApi(running.app.getHttpServer());
    const carts = cartsApi(running.app.getHttpServer());
    const ownerName = `Eve Erasable ${randomUUID()}`;
    const address = {
      ...ADDRESS,
      name: `Ada Erasable ${randomUUID()}`,
      street: `${randomUUID()} Rd`,
    };
    const customerId = randomUUID();
    // With Idempotency-Key, so the stored responses are scanned too.
    const opened = await http(running)
      .post('/accounts')
      .set('Idempotency-Key', randomUUID())
      .send({ ownerName, currency: 'EUR', initialDeposit: 5_000 })
      .expect(201);
    const accountId = opened.body.id as string;
    const { id: cartId } = await carts.create(customerId);
    await carts.add(cartId);
    const shipped = await request(running.app.getHttpServer(), carts.tokenOf(cartId))
      .put(`/carts/${cartId}/shipping`)
      .set('Idempotency-Key', randomUUID())
      .send(address)
      .expect(200);
    expect((await carts.cart(cartId, shipped.body.position)).shipping).toEqual(address);
    expect((await accounts.account(accountId, shipped.body.position)).ownerName).toBe(ownerName);
    // The read models are where the plaintext would be: the events hold ciphertext.
    return {
      accountId,
      cartId,
      customerId,
      ownerName,
      address,
      needles: [ownerName, address.name, address.street],
    };
  };

  /** Every read endpoint that can show this account or cart, and every table: none holds any needle. */
  const expectNoPlaintext = async (
    running: RunningApp,
    { accountId, cartId, needles }: { accountId: string; cartId: string; needles: string[] },
  ) => {
    const reads = [
      `/accounts/${accountId}`,
      `/accounts/${accountId}?atVersion=1`,
      `/accounts/${accountId}?asOf=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}`,
      `/accounts/${accountId}/history`,
      `/accounts/${accountId}/events`,
      `/accounts/${accountId}/transactions`,
      `/carts/${cartId}`,
      '/reports/daily-volume',
      '/reports/cart-removals',
      '/orders',
      '/admin/projections',
      '/admin/projections/accounts/dead-letters',
      '/admin/projections/carts/dead-letters',
      '/metrics',
    ];
    for (const path of reads) {
      const res = await http(running).get(path);
      expect(res.status).toBeLessThan(500);
      for (const needle of needles) expect(`${path}: ${res.text}`).not.toContain(needle);
    }
    for (const needle of needles) expect(await scratch.tablesContaining(needle)).toEqual([]);
  };
  const expectMasked = async (running: RunningApp, accountId: string, cartId: string) => {
    expect((await http(running).get(`/accounts/${accountId}`).expect(200)).body.ownerName).toBe(E);
    expect((await http(running).get(`/carts/${cartId}`).expect(200)).body.shipping).toEqual({
      name: E,
      street: E,
      city: E,
      postalCode: E,
      country: ADDRESS.country,
    });
  };

  it('with every projection stopped, and another instance keeping the account in its aggregate cache', async () => {
    const first = await start({ projections: true });
    const seeded = await seed(first);
    const { accountId, cartId, customerId } = seeded;
    await stop(first);
    // No instance runs a projection from here on; `cached` decided a deposit, so it keeps the decrypted account.
    const cached = await start({ projections: false });
    const eraser = await start({ projections: false });
    await accountsApi(cached.app.getHttpServer()).deposit(accountId, 100);
    const before = await http(cached).get(`/accounts/${accountId}/events`).expect(200);
    expect(before.text).toContain(seeded.ownerName);

    await http(eraser).delete(`/accounts/${accountId}/personal-data`).expect(200);
    await http(eraser).delete(`/customers/${customerId}/personal-data`).expect(200);

    for (const running of [eraser, cached]) {
      await expectMasked(running, accountId, cartId);
      await expectNoPlaintext(running, seeded);
    }
    // The cached account is behind the erasure: the next command reads the stream again, and stores no name.
    await accountsApi(cached.app.getHttpServer()).deposit(accountId, 200);
    await expectNoPlaintext(cached, seeded);

    // Projections back: they catch up over the erasure, and still nothing shows the plaintext.
    const resumed = await start({ projections: true });
    const head = await accountsApi(resumed.app.getHttpServer()).deposit(accountId, 300);
    await http(resumed).get(`/accounts/${accountId}?consistentWith=${head.position}`).expect(200);
    await eventually(async () => {
      expect(await projection(resumed, 'carts')).toMatchObject({ status: 'live', lagEvents: 0 });
    }, 20_000);
    await expectMasked(resumed, accountId, cartId);
    await expectNoPlaintext(resumed, seeded);
    expect((await http(resumed).get(`/accounts/${accountId}`).expect(200)).body.balance).toBe(
      5_600,
    );
    await stop(cached);
    await stop(eraser);
  });

  it("erases a customer's address whatever case their id was written in", async () => {
    const running = await start({ projections: true });
    const carts = cartsApi(running.app.getHttpServer());
    const customerId = randomUUID();
    const address = { ...ADDRESS, street: `${randomUUID()} Case St` };
    const { id: cartId } = await carts.create(customerId.toUpperCase());
    await carts.add(cartId);
    await carts.ship(cartId, address);
    const erased = await http(running).delete(`/customers/${customerId}/personal-data`).expect(200);
    const cart = await carts.cart(cartId, erased.body.position);
    expect(cart.customerId).toBe(customerId);
    expect(cart.shipping).toMatchObject({ name: E, street: E });
    const events = await running.app.get(PostgresEventStore).readStream(`cart-${cartId}`);
    expect(JSON.stringify(events)).not.toContain(address.street);
    const upper = await http(running).delete(
      `/customers/${customerId.toUpperCase()}/personal-data`,
    );
    expect(upper.body).toEqual(erased.body);
  });

  it('with the accounts and carts projections failed on a poisoned event, and after they resume', async () => {
    const running = await start({ projections: true });
    const seeded = await seed(running);
    const { accountId, cartId, customerId } = seeded;
    // Events no handler can apply: an account whose name does not decrypt, an item of a cart never created.
    // Each projection dead-letters its own and stops there.
    const poison = async (streamId: string, type: string, data: Record<string, unknown>) => {
      const { rows } = await scratch.pool.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, data)
         VALUES ($1, 1, gen_random_uuid(), $2, $3) RETURNING global_position`,
        [streamId, type, JSON.stringify(data)],
      );
      return Number(rows[0].global_position);
    };
    const forged = randomUUID();
    const accountsPoison = await poison(`account-${forged}`, 'AccountOpened', {
      accountId: forged,
      currency: 'EUR',
      $personal: {
        v: 1,
        subject: forged,
        fields: ['ownerName'],
        iv: 'AAAAAAAAAAAAAAAA',
        data: 'AAAA',
      },
    });
    const ghost = randomUUID();
    const cartsPoison = await poison(`cart-${ghost}`, 'ItemAdded', {
      cartId: ghost,
      productId: 'sku-1',
      quantity: 1,
      unitPrice: 100,
      currency: 'EUR',
    });
    const failed = ['accounts', 'account-daily-volume', 'carts'];
    await eventually(async () => {
      for (const name of failed) expect((await projection(running, name)).status).toBe('failed');
    }, 20_000);

    await http(running).delete(`/accounts/${accountId}/personal-data`).expect(200);
    await http(running).delete(`/customers/${customerId}/personal-data`).expect(200);
    await expectMasked(running, accountId, cartId);
    await expectNoPlaintext(running, seeded);

    for (const name of failed) {
      const position = name === 'carts' ? cartsPoison : accountsPoison;
      await http(running).post(`/admin/projections/${name}/skip`).send({ position }).expect(200);
    }
    await eventually(async () => {
      for (const name of failed)
        expect(await projection(running, name)).toMatchObject({ status: 'live', lagEvents: 0 });
    }, 20_000);
    await expectMasked(running, accountId, cartId);
    await expectNoPlaintext(running, seeded);
  });
});
