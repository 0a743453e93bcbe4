import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { customerToken, DEFAULT_TOKEN } from './auth.js';
import request from './http.js';
import type { Accepted } from './accounts-api.js';

/**
 * The token of whoever owns a cart, order or shipment these helpers made (its customer's): later calls on it, here
 * and in orders-api, act as that customer. One map per test file (jest gives each its own modules).
 */
const owners = new Map<string, string>();

/** The token of the customer who owns `id` (a cart, order or shipment made here), or the suites' default caller. */
export const ownerTokenOf = (id?: string): string => (id && owners.get(id)) || DEFAULT_TOKEN;

/** Calls on `id` from now on act as the owner of `of` (an order as its cart's customer...). */
export function ownedAlike(id: string, of: string): void {
  const token = owners.get(of);
  if (token) owners.set(id, token);
}

export const ADDRESS = {
  name: 'Ada Lovelace',
  street: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

export interface Item {
  productId: string;
  quantity: number;
  unitPrice: number;
  currency: string;
}

/**
 * The carts API as a client sees it, with the assertions every caller would otherwise repeat. A cart is created with
 * its customer's own token, and every later call on it (`http(cartId)`) sends that token.
 */
export function cartsApi(server: Server) {
  /** As the customer of `cartId`; without one (or for a cart made elsewhere), as the suites' default caller. */
  const http = (cartId?: string) => request(server, ownerTokenOf(cartId));

  return {
    http,

    /** The token of the cart's customer. */
    tokenOf: (cartId: string) => ownerTokenOf(cartId),

    /** A cart of `customerId` (a new customer by default), created with their token. */
    async create(customerId: string = randomUUID()): Promise<Accepted> {
      const token = customerToken(customerId);
      const res = await request(server, token).post('/carts').send({}).expect(201);
      owners.set(res.body.id as string, token);
      return res.body as Accepted;
    },

    /** An account of the cart's customer, opened with their token: the one a checkout of the cart can pay from. */
    async openAccountFor(cartId: string, body: Record<string, unknown> = {}): Promise<Accepted> {
      const res = await http(cartId)
        .post('/accounts')
        .send({ ownerName: 'Ada Lovelace', currency: 'EUR', ...body })
        .expect(201);
      return res.body as Accepted;
    },

    async add(id: string, item: Partial<Item> = {}): Promise<Accepted> {
      const res = await http(id)
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-1', quantity: 1, unitPrice: 1_000, currency: 'EUR', ...item })
        .expect(201);
      return res.body as Accepted;
    },

    async remove(id: string, productId: string): Promise<Accepted> {
      const res = await http(id).delete(`/carts/${id}/items/${productId}`).expect(200);
      return res.body as Accepted;
    },

    async ship(id: string, address: Partial<typeof ADDRESS> = {}): Promise<Accepted> {
      const res = await http(id)
        .put(`/carts/${id}/shipping`)
        .send({ ...ADDRESS, ...address })
        .expect(200);
      return res.body as Accepted;
    },

    async checkOut(
      id: string,
      accountId: string = randomUUID(),
      { correlationId }: { correlationId?: string } = {},
    ): Promise<Accepted & { orderId: string }> {
      const post = http(id).post(`/carts/${id}/checkout`);
      if (correlationId) void post.set('X-Correlation-Id', correlationId);
      const res = await post.send({ accountId }).expect(202);
      ownedAlike(res.body.orderId as string, id);
      return res.body as Accepted & { orderId: string };
    },

    /** The cart as the read model holds it once it has caught up with `position`. */
    async cart(id: string, position: number) {
      const res = await http(id)
        .get(`/carts/${id}`)
        .query({ consistentWith: position })
        .expect(200);
      return res.body as Record<string, unknown>;
    },

    /** The customer erases their own personal data: their addresses read as the placeholder from then on. */
    async eraseCustomer(customerId: string): Promise<Accepted> {
      const res = await request(server, customerToken(customerId))
        .delete(`/customers/${customerId}/personal-data`)
        .expect(200);
      return res.body as Accepted;
    },

    /** A cart with items and an address, ready to check out; of `customerId` (a new customer by default). */
    async ready(items: Array<Partial<Item>> = [{}], customerId?: string): Promise<Accepted> {
      const { id } = await this.create(customerId);
      for (const item of items) await this.add(id, item);
      return this.ship(id);
    },
  };
}
