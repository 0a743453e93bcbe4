import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from './http.js';
import type { Accepted } from './accounts-api.js';

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

/** The carts API as a client sees it, with the assertions every caller would otherwise repeat. */
export function cartsApi(server: Server) {
  const http = () => request(server);

  return {
    http,

    async create(customerId: string = randomUUID()): Promise<Accepted> {
      const res = await http().post('/carts').send({ customerId }).expect(201);
      return res.body as Accepted;
    },

    async add(id: string, item: Partial<Item> = {}): Promise<Accepted> {
      const res = await http()
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-1', quantity: 1, unitPrice: 1_000, currency: 'EUR', ...item })
        .expect(201);
      return res.body as Accepted;
    },

    async remove(id: string, productId: string): Promise<Accepted> {
      const res = await http().delete(`/carts/${id}/items/${productId}`).expect(200);
      return res.body as Accepted;
    },

    async ship(id: string, address: Partial<typeof ADDRESS> = {}): Promise<Accepted> {
      const res = await http()
        .put(`/carts/${id}/shipping`)
        .send({ ...ADDRESS, ...address })
        .expect(200);
      return res.body as Accepted;
    },

    async checkOut(
      id: string,
      accountId: string = randomUUID(),
    ): Promise<Accepted & { orderId: string }> {
      const res = await http().post(`/carts/${id}/checkout`).send({ accountId }).expect(202);
      return res.body as Accepted & { orderId: string };
    },

    /** The cart as the read model holds it once it has caught up with `position`. */
    async cart(id: string, position: number) {
      const res = await http().get(`/carts/${id}`).query({ consistentWith: position }).expect(200);
      return res.body as Record<string, unknown>;
    },

    /** Erases the customer's personal data: their addresses read as the placeholder from then on. */
    async eraseCustomer(customerId: string): Promise<Accepted> {
      const res = await http().delete(`/customers/${customerId}/personal-data`).expect(200);
      return res.body as Accepted;
    },

    /** A cart with items and an address, ready to check out. */
    async ready(items: Array<Partial<Item>> = [{}]): Promise<Accepted> {
      const { id } = await this.create();
      for (const item of items) await this.add(id, item);
      return this.ship(id);
    },
  };
}
