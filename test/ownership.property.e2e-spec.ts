import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Response } from 'supertest';
import type { RunningApp } from '../src/app.factory.js';
import { customerToken, tokenFor } from './support/auth.js';
import request from './support/http.js';
import { startTestApp } from './support/test-app.js';

type Kind =
  | 'open-account'
  | 'deposit'
  | 'withdraw'
  | 'read-account'
  | 'time-travel'
  | 'history'
  | 'transactions'
  | 'erase-account'
  | 'create-cart'
  | 'add-item'
  | 'read-cart'
  | 'ship-to'
  | 'check-out'
  | 'list-orders'
  | 'erase-customer';

interface Action {
  /** Which customer acts. */
  by: number;
  kind: Kind;
  /** Which account or cart (among all created so far, anyone's), modulo their number; -1: an id nobody has. */
  target: number;
  /** For a checkout: which account pays. */
  payer: number;
}

const CUSTOMERS = 3;
const action: fc.Arbitrary<Action> = fc.record({
  by: fc.integer({ min: 0, max: CUSTOMERS - 1 }),
  kind: fc.constantFrom<Kind>(
    'open-account',
    'open-account',
    'deposit',
    'withdraw',
    'read-account',
    'time-travel',
    'history',
    'transactions',
    'erase-account',
    'create-cart',
    'create-cart',
    'add-item',
    'read-cart',
    'ship-to',
    'check-out',
    'list-orders',
    'erase-customer',
  ),
  target: fc.integer({ min: -1, max: 20 }),
  payer: fc.integer({ min: 0, max: 20 }),
});

interface Owned {
  id: string;
  owner: number;
  position: number;
}

/**
 * Random customers send random requests at their own and at each other's accounts and carts: nobody ever reads or
 * changes what is not theirs. Someone else's resource answers exactly as one that does not exist, and afterwards
 * every event of every stream was caused by its owner.
 */
describe('ownership, as a property: nobody reads or changes another customer’s data', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('holds for any sequence of requests by any customers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        const subjects = Array.from({ length: CUSTOMERS }, () => randomUUID());
        const http = (by: number) =>
          request(running.app.getHttpServer(), customerToken(subjects[by]));
        const accounts: Owned[] = [];
        const carts: Owned[] = [];
        const orders = new Map<string, number>();
        let last = 0;

        const pick = (list: Owned[], target: number): Owned =>
          target < 0 || list.length === 0
            ? { id: randomUUID(), owner: -1, position: 0 }
            : list[target % list.length];
        /** Someone else's (or nobody's) resource: answered exactly as a missing one. */
        const expectMissing = (res: Response, type: string, what: string) => {
          if (res.status !== 404 || res.body.type !== `/problems/${type}`) {
            throw new Error(
              `${what}: expected 404 ${type}, got ${res.status} ${res.text.slice(0, 200)}`,
            );
          }
        };
        const seen = (res: Response) => {
          if (typeof res.body?.position === 'number') last = Math.max(last, res.body.position);
          return res;
        };

        for (const { by, kind, target, payer } of actions) {
          const me = http(by);
          const account = pick(accounts, target);
          const cart = pick(carts, target);
          const mineAccount = account.owner === by;
          const mineCart = cart.owner === by;
          const what = `${kind} by customer ${by} on ${kind.includes('cart') || kind === 'add-item' || kind === 'ship-to' || kind === 'check-out' ? `cart of ${cart.owner}` : `account of ${account.owner}`}`;
          switch (kind) {
            case 'open-account': {
              const res = seen(
                await me
                  .post('/accounts')
                  .send({ ownerName: 'Ann', currency: 'EUR', initialDeposit: 1000 }),
              );
              expect(res.status).toBe(201);
              accounts.push({ id: res.body.id, owner: by, position: res.body.position });
              break;
            }
            case 'deposit':
            case 'withdraw': {
              const res = seen(
                await me
                  .post(
                    `/accounts/${account.id}/${kind === 'deposit' ? 'deposits' : 'withdrawals'}`,
                  )
                  .send({ amount: 100 }),
              );
              if (mineAccount) expect([201, 422]).toContain(res.status);
              else expectMissing(res, 'account-not-found', what);
              break;
            }
            case 'read-account':
            case 'time-travel':
            case 'history':
            case 'transactions': {
              const path = {
                'read-account': `/accounts/${account.id}?consistentWith=${last || 1}`,
                'time-travel': `/accounts/${account.id}?asOf=${encodeURIComponent(new Date().toISOString())}`,
                history: `/accounts/${account.id}/history`,
                transactions: `/accounts/${account.id}/transactions?consistentWith=${last || 1}`,
              }[kind];
              if (last === 0 && (kind === 'read-account' || kind === 'transactions')) break;
              const res = await me.get(path);
              if (mineAccount) {
                expect(res.status).toBe(200);
                if (kind === 'read-account' || kind === 'time-travel')
                  expect(res.body.id).toBe(account.id);
              } else expectMissing(res, 'account-not-found', what);
              break;
            }
            case 'erase-account': {
              const res = seen(await me.delete(`/accounts/${account.id}/personal-data`));
              if (mineAccount) expect(res.status).toBe(200);
              else expectMissing(res, 'account-not-found', what);
              break;
            }
            case 'create-cart': {
              const res = seen(await me.post('/carts').send({}));
              expect(res.status).toBe(201);
              carts.push({ id: res.body.id, owner: by, position: res.body.position });
              break;
            }
            case 'add-item': {
              const res = seen(
                await me
                  .post(`/carts/${cart.id}/items`)
                  .send({ productId: 'sku-1', quantity: 1, unitPrice: 100, currency: 'EUR' }),
              );
              if (mineCart) expect([201, 409]).toContain(res.status);
              else expectMissing(res, 'cart-not-found', what);
              break;
            }
            case 'ship-to': {
              const res = seen(
                await me.put(`/carts/${cart.id}/shipping`).send({
                  name: 'Ann',
                  street: '1 Main St',
                  city: 'Oslo',
                  postalCode: '0150',
                  country: 'NO',
                }),
              );
              if (mineCart) expect([200, 409]).toContain(res.status);
              else expectMissing(res, 'cart-not-found', what);
              break;
            }
            case 'read-cart': {
              if (last === 0) break;
              const res = await me.get(`/carts/${cart.id}?consistentWith=${last}`);
              if (mineCart) {
                expect(res.status).toBe(200);
                expect(res.body.id).toBe(cart.id);
              } else expectMissing(res, 'cart-not-found', what);
              break;
            }
            case 'check-out': {
              const paying = pick(accounts, payer);
              const res = seen(
                await me.post(`/carts/${cart.id}/checkout`).send({ accountId: paying.id }),
              );
              if (!mineCart) expectMissing(res, 'cart-not-found', what);
              else if (res.status === 202) orders.set(res.body.orderId, by);
              else expect([400, 409, 422]).toContain(res.status);
              break;
            }
            case 'list-orders': {
              const res = await me.get('/orders?limit=500');
              expect(res.status).toBe(200);
              const foreign = (res.body.items as Array<{ id: string }>).filter(
                (order) => orders.has(order.id) && orders.get(order.id) !== by,
              );
              expect(foreign).toEqual([]);
              break;
            }
            case 'erase-customer': {
              const victim = target < 0 ? randomUUID() : subjects[Math.abs(target) % CUSTOMERS];
              const res = seen(await me.delete(`/customers/${victim}/personal-data`));
              if (victim === subjects[by]) expect(res.status).toBe(200);
              else expect(res.status).toBe(404);
              break;
            }
          }
        }

        // Nothing changed anyone else's streams: every event of an account was caused by its owner, or by the
        // checkout saga paying (or refunding) one of the owner's own orders.
        const auditor = request(running.app.getHttpServer(), tokenFor('auditor', ['auditor']));
        for (const { id, owner } of accounts) {
          const events = await auditor.get(`/accounts/${id}/events?limit=1000`).expect(200);
          for (const event of events.body.items as Array<{
            type: string;
            metadata: { actor?: string; correlationId?: string };
          }>) {
            const { actor, correlationId } = event.metadata;
            if (actor === subjects[owner]) continue;
            if (actor === 'checkout-saga' && orders.get(correlationId ?? '') === owner) continue;
            throw new Error(
              `${event.type} on an account of customer ${owner} by ${actor} (correlation ${correlationId})`,
            );
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
