/** One example problem per type, for the document: what the app sends, extension members included. */
const EXAMPLE_ID = '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d';

interface ProblemExample {
  status: number;
  detail: string;
  extensions?: Record<string, unknown>;
}

export const PROBLEM_EXAMPLES: Record<string, ProblemExample> = {
  'validation-failed': {
    status: 400,
    detail: 'Invalid amount',
    extensions: { errors: [{ field: 'amount', messages: ['amount must not be less than 1'] }] },
  },
  'malformed-json': { status: 400, detail: 'The request body is not valid JSON' },
  'body-not-an-object': {
    status: 400,
    detail: 'The request body is null: send a JSON object',
  },
  'invalid-content-encoding': {
    status: 400,
    detail: 'The request body is not encoded as its Content-Encoding header says',
  },
  'unknown-position': { status: 400, detail: 'No event is stored at global position 4711' },
  unauthorized: { status: 401, detail: 'The token has expired' },
  forbidden: {
    status: 403,
    detail: 'Your roles (customer) do not allow POST /admin/projections/{name}/rebuild',
  },
  'account-not-found': { status: 404, detail: `Account ${EXAMPLE_ID} does not exist` },
  'account-not-yet-opened': {
    status: 404,
    detail: `Account ${EXAMPLE_ID} was not opened yet at 2026-11-01T00:00:00.000Z`,
    extensions: { openedAt: '2026-11-22T09:00:00.000Z' },
  },
  'account-version-not-found': {
    status: 404,
    detail: `Account ${EXAMPLE_ID} has no version 9; it is at version 3`,
    extensions: { currentVersion: 3 },
  },
  'cart-not-found': { status: 404, detail: `Cart ${EXAMPLE_ID} does not exist` },
  'cart-item-not-found': {
    status: 404,
    detail: `Cart ${EXAMPLE_ID} holds no product sku-42`,
    extensions: { productId: 'sku-42' },
  },
  'order-not-found': { status: 404, detail: `Order ${EXAMPLE_ID} does not exist` },
  'shipment-not-found': { status: 404, detail: `Shipment ${EXAMPLE_ID} does not exist` },
  'stream-not-found': {
    status: 404,
    detail: `No stream "account-${EXAMPLE_ID}" in the log`,
  },
  'customer-not-found': { status: 404, detail: `Customer ${EXAMPLE_ID} does not exist` },
  'unknown-projection': { status: 404, detail: 'There is no projection named "acounts"' },
  'version-conflict': {
    status: 409,
    detail: 'The stream is at version 5, not 4',
    extensions: { currentVersion: 5, expectedVersion: 4 },
  },
  'idempotency-key-in-progress': {
    status: 409,
    detail: 'A request with this Idempotency-Key is still being processed',
  },
  'cart-checked-out': {
    status: 409,
    detail: `Cart ${EXAMPLE_ID} was checked out as order 5d0e2a61-7b1f-4c3e-8a29-6f4b1c7d9e02 and can no longer change`,
    extensions: { orderId: '5d0e2a61-7b1f-4c3e-8a29-6f4b1c7d9e02' },
  },
  'personal-data-erased': {
    status: 409,
    detail:
      `The personal data of customer ${EXAMPLE_ID} was erased: cart 5d0e2a61-7b1f-4c3e-8a29-6f4b1c7d9e02 ` +
      'has no shipping address any more and can no longer be checked out',
    extensions: { customerId: EXAMPLE_ID },
  },
  'shipment-already-dispatched': {
    status: 409,
    detail: `Shipment ${EXAMPLE_ID} was dispatched already`,
  },
  'rebuild-in-progress': { status: 409, detail: 'Projection accounts is already being rebuilt' },
  'nothing-to-skip': {
    status: 409,
    detail: 'Projection accounts is not stopped at event 4711: there is nothing to skip',
  },
  'malformed-request': {
    status: 400,
    detail: 'The request is not valid HTTP/1.1 (its method, framing or headers)',
  },
  'request-timeout': { status: 408, detail: 'The request was not received in time' },
  'request-header-fields-too-large': {
    status: 431,
    detail: 'The request headers are larger than the server accepts',
  },
  'payload-too-large': {
    status: 413,
    detail: 'The request body is larger than the limit of 102400 bytes',
  },
  'unsupported-media-type': {
    status: 415,
    detail: 'Send the body as application/json, not text/plain',
  },
  'insufficient-funds': {
    status: 422,
    detail: `Account ${EXAMPLE_ID} holds 12500, less than the 999999 requested`,
    extensions: { balance: 12500, amount: 999999, version: 5, position: 1042 },
  },
  'too-many-subscriptions': {
    status: 429,
    detail: 'You have 10 live subscriptions open, the most one principal may hold; close one first',
    extensions: { limit: 10 },
  },
  'live-capacity-reached': {
    status: 503,
    detail: 'This instance serves 5000 live subscriptions at most; retry later',
  },
  'idempotency-key-reused': {
    status: 422,
    detail: 'This Idempotency-Key was already used with a different request',
  },
  'cart-currency-mismatch': {
    status: 422,
    detail: 'This cart is priced in EUR; an item in USD cannot be added to it',
    extensions: { cartCurrency: 'EUR', currency: 'USD' },
  },
  'unit-price-mismatch': {
    status: 422,
    detail:
      'Product sku-4711 is in the cart at 1999 a unit, not 2499: remove it to add it at another price',
    extensions: { productId: 'sku-4711', cartUnitPrice: 1999, unitPrice: 2499 },
  },
  'quantity-limit-exceeded': {
    status: 422,
    detail: 'The cart holds 999 of product sku-4711; adding 2 would exceed the 1000 allowed',
    extensions: { productId: 'sku-4711', inCart: 999, adding: 2, max: 1000 },
  },
  'cart-total-limit-exceeded': {
    status: 422,
    detail: 'A cart total of 1000000000001 minor units is above the limit of 1000000000000',
    extensions: { total: 1000000000001, max: 1000000000000 },
  },
  'shipping-info-missing': {
    status: 422,
    detail: `Cart ${EXAMPLE_ID} has no shipping address: enter one before checking out`,
  },
  'cart-empty': {
    status: 422,
    detail: `Cart ${EXAMPLE_ID} is empty: add an item before checking out`,
  },
  'rate-limited': {
    status: 429,
    detail: 'More than 600 requests a minute came from you: retry in 42 s',
  },
  'internal-error': {
    status: 500,
    detail: 'An unexpected error occurred; it has been logged',
  },
  'consistency-timeout': {
    status: 503,
    detail: 'The read model has not reached position 1042 within 5000 ms',
    extensions: { position: 1042 },
  },
  'identity-provider-unavailable': {
    status: 503,
    detail: 'The identity provider keys could not be fetched',
  },
  'database-unavailable': {
    status: 503,
    detail: 'The database is unavailable or did not answer in time; retry later',
  },
};

/** Nest's own problems for statuses no code of ours names. */
export const DEFAULT_PROBLEM_BY_STATUS: Record<number, string> = {
  400: 'validation-failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'version-conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  408: 'request-timeout',
  429: 'rate-limited',
  431: 'request-header-fields-too-large',
  500: 'internal-error',
  503: 'database-unavailable',
};

function titleOf(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The body the app sends for `code` (as `toProblem` builds it), at `instance`. */
export function problemExample(code: string, instance: string): Record<string, unknown> {
  const example = PROBLEM_EXAMPLES[code] ?? { status: 404, detail: 'No such resource' };
  return {
    type: `/problems/${code}`,
    title: titleOf(code),
    status: example.status,
    detail: example.detail,
    ...example.extensions,
    instance,
  };
}
