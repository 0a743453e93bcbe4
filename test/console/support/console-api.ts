import { randomUUID } from 'node:crypto';
import { customerToken, DEFAULT_TOKEN, tokenFor } from '../../support/auth.js';
import { eventually } from '../../support/eventually.js';
import { consoleUrl } from './console-browser.js';

/** One token per role the console distinguishes (signed by the development issuer the app trusts). */
export const TOKENS = {
  admin: tokenFor('console-admin', ['admin'], { expiresIn: 3600 }),
  auditor: tokenFor('console-auditor', ['auditor'], { expiresIn: 3600 }),
  teller: tokenFor('console-teller', ['teller'], { expiresIn: 3600 }),
  /** Every staff role at once: the operator who may both read everything and rebuild. */
  staff: tokenFor('console-staff', ['auditor', 'admin'], { expiresIn: 3600 }),
  customer: (customerId: string) => customerToken(customerId),
};

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** The API over real HTTP, as the browser's page sees the same app. */
export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  token: string = DEFAULT_TOKEN,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(`${consoleUrl()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text && /json/.test(res.headers.get('content-type') ?? '')
      ? JSON.parse(text)
      : text) as T,
  };
}

async function expectStatus<T>(answer: Promise<Answer<T>>, status: number): Promise<T> {
  const res = await answer;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface Accepted {
  id: string;
  version: number;
  position: number;
}

export const accounts = {
  /** Opened by the suites' default caller (every role), or by whoever `token` names, who then owns it. */
  open: (body: Record<string, unknown> = {}, token?: string) =>
    expectStatus(
      call<Accepted>('POST', '/accounts', token, {
        ownerName: 'Ada Lovelace',
        currency: 'EUR',
        ...body,
      }),
      201,
    ),
  deposit: (id: string, amount: number, token?: string) =>
    expectStatus(call<Accepted>('POST', `/accounts/${id}/deposits`, token, { amount }), 201),
  /** A refused withdrawal (insufficient funds) is recorded and answered 422. */
  withdraw: (id: string, amount: number, token?: string) =>
    call<Accepted>('POST', `/accounts/${id}/withdrawals`, token, { amount }),
  /** The read model once it has caught up with `position`. */
  get: (id: string, position: number, token?: string) =>
    expectStatus(
      call<{ balance: number; version: number }>(
        'GET',
        `/accounts/${id}?consistentWith=${position}`,
        token,
      ),
      200,
    ),
};

export interface Checkout {
  customerId: string;
  customerToken: string;
  cartId: string;
  accountId: string;
  orderId: string;
  shipmentId: string;
  /** The checkout request's X-Correlation-Id, which every event of the checkout carries. */
  correlationId: string;
}

/**
 * A customer's cart checked out and paid from their own account: the order is awaiting shipment when this returns
 * (the saga: cart, order, checkout, account, shipment streams, all under the checkout request's correlation id).
 */
export async function checkOut(total = 2_500): Promise<Checkout> {
  const customerId = randomUUID();
  const token = TOKENS.customer(customerId);
  const cart = await expectStatus(call<Accepted>('POST', '/carts', token, {}), 201);
  await expectStatus(
    call('POST', `/carts/${cart.id}/items`, token, {
      productId: 'sku-console',
      quantity: 1,
      unitPrice: total,
      currency: 'EUR',
    }),
    201,
  );
  await expectStatus(
    call('PUT', `/carts/${cart.id}/shipping`, token, {
      name: 'Ada Lovelace',
      street: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    }),
    200,
  );
  const account = await accounts.open({ initialDeposit: total * 4 }, token);
  const correlationId = randomUUID();
  const { orderId } = await expectStatus(
    call<{ orderId: string }>(
      'POST',
      `/carts/${cart.id}/checkout`,
      token,
      { accountId: account.id },
      { 'x-correlation-id': correlationId },
    ),
    202,
  );
  let shipmentId = '';
  await eventually(async () => {
    const order = await expectStatus(
      call<{ status: string; shipment?: { id: string } }>('GET', `/orders/${orderId}`, token),
      200,
    );
    if (order.status !== 'awaiting-shipment' || !order.shipment)
      throw new Error(`order ${orderId} is ${order.status}, not awaiting shipment`);
    shipmentId = order.shipment.id;
  }, 20_000);
  return {
    customerId,
    customerToken: token,
    cartId: cart.id,
    accountId: account.id,
    orderId,
    shipmentId,
    correlationId,
  };
}

/** Every projection as GET /admin/projections reports it. */
export async function projections(): Promise<
  Array<{ name: string; status: string; rebuild: unknown }>
> {
  const body = await expectStatus(
    call<{ projections: Array<{ name: string; status: string; rebuild: unknown }> }>(
      'GET',
      '/admin/projections',
      TOKENS.staff,
    ),
    200,
  );
  return body.projections;
}
