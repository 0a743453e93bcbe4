import { deterministicUuid } from '../../event-store/index.js';
import { PERSONAL_DATA_ERASED } from '../../shared/personal-data-erased.js';
import { specFor } from '../../shared/testing/given-when-then.js';
import { orderIdOf } from '../order-ids.js';
import {
  addItem,
  cartDefinition,
  checkOut,
  create,
  enterShippingInfo,
  evolve,
  initialState,
  MAX_QUANTITY,
  removeItem,
  requireVisible,
  type CartState,
} from './cart.js';
import type { CartEvent, ShippingAddress } from './cart.events.js';
import {
  CartAlreadyCheckedOut,
  CartAlreadyCreated,
  CartEmpty,
  CartItemNotFound,
  CartNotFound,
  CartTotalLimitExceeded,
  CurrencyMismatch,
  InvalidCartInput,
  QuantityLimitExceeded,
  ShippingAddressErased,
  ShippingInfoMissing,
  UnitPriceMismatch,
} from './cart.errors.js';

const cartId = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const orderId = orderIdOf(cartId);
const customerId = '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
const accountId = '9a7b3c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d';
const address: ShippingAddress = {
  name: 'Ada Lovelace',
  street: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const given = specFor(cartDefinition);

const created = (): CartEvent => ({ type: 'CartCreated', data: { cartId, customerId } });
const added = (
  productId: string,
  quantity: number,
  unitPrice = 250,
  currency = 'EUR',
): CartEvent => ({
  type: 'ItemAdded',
  data: { cartId, productId, quantity, unitPrice, currency },
});
const removed = (productId: string, quantity: number): CartEvent => ({
  type: 'ItemRemoved',
  data: { cartId, productId, quantity },
});
const shipped = (to: ShippingAddress = address): CartEvent => ({
  type: 'ShippingInfoEntered',
  data: { cartId, customerId, ...to },
});
const checkedOut = (): CartEvent => ({
  type: 'CartCheckedOut',
  data: {
    cartId,
    orderId,
    customerId,
    accountId,
    currency: 'EUR',
    total: 250,
    lines: [{ productId: 'sku-1', quantity: 1, unitPrice: 250 }],
    shipping: address,
  },
});
const add = (productId: string, quantity: number, unitPrice = 250, currency = 'EUR') => ({
  cartId,
  productId,
  quantity,
  unitPrice,
  currency,
});

describe('Cart', () => {
  describe('create', () => {
    it('creates a cart for a customer', () =>
      given([])
        .when((s) => create(s, { cartId, customerId }))
        .then([created()]));

    it('refuses to create it twice', () =>
      given([created()])
        .when((s) => create(s, { cartId, customerId }))
        .thenThrows(CartAlreadyCreated));

    it('refuses a customer id that is not a UUID', () =>
      given([])
        .when((s) => create(s, { cartId, customerId: 'ada' }))
        .thenThrows(InvalidCartInput, /customerId/));
  });

  describe('addItem', () => {
    it('adds a product at a unit price; the first item sets the currency', () =>
      given([created()])
        .when((s) => addItem(s, add('sku-1', 2)))
        .then([added('sku-1', 2)]));

    it('adds the quantity of a product already in the cart to its line', () => {
      const history = [created(), added('sku-1', 2), added('sku-2', 1), added('sku-1', 3)];
      given(history)
        .when((s) => addItem(s, add('sku-1', 995)))
        .then([added('sku-1', 995)]);
      expect(history.reduce(evolve, initialState())).toMatchObject({
        lines: [
          { productId: 'sku-1', quantity: 5, unitPrice: 250 },
          { productId: 'sku-2', quantity: 1, unitPrice: 250 },
        ],
      });
    });

    it('refuses to take a line past 1000 units', () =>
      given([created(), added('sku-1', 600)])
        .when((s) => addItem(s, add('sku-1', 401)))
        .thenThrows(QuantityLimitExceeded, /holds 600 .* adding 401/));

    it('refuses another currency than the cart is priced in', () =>
      given([created(), added('sku-1', 1)])
        .when((s) => addItem(s, add('sku-2', 1, 100, 'USD')))
        .thenThrows(CurrencyMismatch, /priced in EUR; an item in USD/));

    it('keeps the currency once the cart has been emptied', () =>
      given([created(), added('sku-1', 1), removed('sku-1', 1)])
        .when((s) => addItem(s, add('sku-1', 1, 250, 'USD')))
        .thenThrows(CurrencyMismatch));

    it('refuses a product already in the cart at another unit price', () =>
      given([created(), added('sku-1', 1, 250)])
        .when((s) => addItem(s, add('sku-1', 1, 199)))
        .thenThrows(UnitPriceMismatch, /at 250 a unit, not 199/));

    it('takes the product at a new price once its line was removed', () =>
      given([created(), added('sku-1', 1, 250), removed('sku-1', 1)])
        .when((s) => addItem(s, add('sku-1', 1, 199)))
        .then([added('sku-1', 1, 199)]));

    it('refuses an item that would take the total past 10^12', () =>
      given([created(), added('sku-1', 1, 999_999_999_999)])
        .when((s) => addItem(s, add('sku-2', 1, 2)))
        .thenThrows(CartTotalLimitExceeded, /1000000000001/));

    it('takes an item that brings the total to exactly 10^12', () =>
      given([created(), added('sku-1', 1, 999_999_999_999)])
        .when((s) => addItem(s, add('sku-2', 1, 1)))
        .then([added('sku-2', 1, 1)]));

    it.each([
      ['quantity', add('sku-1', 0)],
      ['quantity', add('sku-1', MAX_QUANTITY + 1)],
      ['quantity', add('sku-1', 1.5)],
      ['unitPrice', add('sku-1', 1, 0)],
      ['unitPrice', add('sku-1', 1, 1_000_000_000_001)],
      ['currency', add('sku-1', 1, 1, 'eur')],
      ['currency', add('sku-1', 1, 1, 'XXQ')],
      ['productId', add('', 1)],
      ['productId', add('a/b', 1)],
      ['productId', add('x'.repeat(65), 1)],
    ])('refuses an invalid %s', (field, command) =>
      given([created()])
        .when((s) => addItem(s, command))
        .thenThrows(InvalidCartInput, new RegExp(field)),
    );

    it('refuses an item for a cart that does not exist', () =>
      given([])
        .when((s) => addItem(s, add('sku-1', 1)))
        .thenThrows(CartNotFound, new RegExp(cartId)));
  });

  describe('removeItem', () => {
    it('removes the whole line, recording the quantity it held', () =>
      given([created(), added('sku-1', 2), added('sku-1', 3)])
        .when((s) => removeItem(s, { cartId, productId: 'sku-1' }))
        .then([removed('sku-1', 5)]));

    it('refuses a product that is not in the cart', () =>
      given([created(), added('sku-1', 2), removed('sku-1', 2)])
        .when((s) => removeItem(s, { cartId, productId: 'sku-1' }))
        .thenThrows(CartItemNotFound, /no product sku-1/));
  });

  describe('enterShippingInfo', () => {
    it('records the address, trimmed, with the customer it belongs to', () =>
      given([created()])
        .when((s) =>
          enterShippingInfo(s, { cartId, ...address, name: '  Ada Lovelace ', city: 'London ' }),
        )
        .then([shipped()]));

    it('replaces an address entered before', () => {
      const moved = { ...address, street: '1 Dorset Street' };
      given([created(), shipped()])
        .when((s) => enterShippingInfo(s, { cartId, ...moved }))
        .then([shipped(moved)]);
    });

    it.each([
      ['name', { name: '   ' }],
      ['street', { street: 'x'.repeat(201) }],
      ['city', { city: '' }],
      ['postalCode', { postalCode: 'SW1Y/4JH' }],
      ['postalCode', { postalCode: '1'.repeat(21) }],
      ['country', { country: 'gb' }],
      ['country', { country: 'XK' }],
      ['country', { country: 'GBR' }],
    ])('refuses an invalid %s', (field, change) =>
      given([created()])
        .when((s) => enterShippingInfo(s, { cartId, ...address, ...change }))
        .thenThrows(InvalidCartInput, new RegExp(field)),
    );
  });

  describe('checkOut', () => {
    it('hands the lines, total, account and address over to the order it names', () =>
      given([
        created(),
        added('sku-1', 2, 250),
        added('sku-2', 1, 1_000),
        added('sku-3', 4, 10),
        removed('sku-3', 4),
        added('sku-1', 1, 250),
        shipped(),
      ])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .then([
          {
            type: 'CartCheckedOut',
            data: {
              cartId,
              orderId: deterministicUuid('order', cartId),
              customerId,
              accountId,
              currency: 'EUR',
              total: 1_750,
              lines: [
                { productId: 'sku-1', quantity: 3, unitPrice: 250 },
                { productId: 'sku-2', quantity: 1, unitPrice: 1_000 },
              ],
              shipping: address,
            },
          },
        ]));

    it('refuses an empty cart', () =>
      given([created(), shipped()])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .thenThrows(CartEmpty));

    it('refuses a cart emptied by removals', () =>
      given([created(), added('sku-1', 1), removed('sku-1', 1), shipped()])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .thenThrows(CartEmpty));

    it('refuses a cart without a shipping address', () =>
      given([created(), added('sku-1', 1)])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .thenThrows(ShippingInfoMissing));

    it("refuses a cart whose address was erased with its customer's personal data, naming the customer", () => {
      // As the store reads it once the customer is erased: the country stays.
      const E = PERSONAL_DATA_ERASED;
      const erased = { name: E, street: E, city: E, postalCode: E, country: address.country };
      given([created(), added('sku-1', 1), shipped(erased)])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .thenThrows(ShippingAddressErased, new RegExp(customerId));
    });

    it('refuses a total past 10^12 even if the history holds one', () =>
      given([created(), added('sku-1', 2, 600_000_000_000), shipped()])
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .thenThrows(CartTotalLimitExceeded));

    it('refuses an account id that is not a UUID', () =>
      given([created(), added('sku-1', 1), shipped()])
        .when((s) => checkOut(s, { cartId, accountId: '42', orderId }))
        .thenThrows(InvalidCartInput, /accountId/));
  });

  describe("another customer's cart", () => {
    const stranger = '3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
    const history = () => [created(), added('sku-1', 1), shipped()];
    const see = (s: CartState): CartEvent[] => {
      requireVisible(s, { cartId, ownedBy: stranger });
      return [];
    };

    it.each([
      ['add an item', (s: CartState) => addItem(s, { ...add('sku-2', 1), ownedBy: stranger })],
      [
        'remove an item',
        (s: CartState) => removeItem(s, { cartId, productId: 'sku-1', ownedBy: stranger }),
      ],
      [
        'enter an address',
        (s: CartState) => enterShippingInfo(s, { cartId, ...address, ownedBy: stranger }),
      ],
      [
        'check out',
        (s: CartState) => checkOut(s, { cartId, accountId, orderId, ownedBy: stranger }),
      ],
      ['see', see],
    ])('refuses to let them %s, as if it did not exist', (_change, decide) =>
      given(history())
        .when(decide)
        .thenThrows(CartNotFound, new RegExp(`Cart ${cartId} does not exist`)),
    );

    it('is not found even once checked out: its order is not named', () =>
      given([...history(), checkedOut()])
        .when((s) => checkOut(s, { cartId, accountId, orderId, ownedBy: stranger }))
        .thenThrows(CartNotFound));

    it('is refused for a cart that does not exist, as for one that does', () =>
      given([]).when(see).thenThrows(CartNotFound));

    it("is the owner's own cart whatever the case of their id", () =>
      given(history())
        .when((s) => addItem(s, { ...add('sku-2', 1), ownedBy: customerId.toUpperCase() }))
        .then([added('sku-2', 1)]));

    it("is anyone's cart for staff, who act without ownedBy", () =>
      given(history())
        .when((s) => checkOut(s, { cartId, accountId, orderId }))
        .then([expect.objectContaining({ type: 'CartCheckedOut' })]));
  });

  describe('after checkout', () => {
    const history = () => [created(), added('sku-1', 1), shipped(), checkedOut()];

    it.each([
      ['add an item', (s: CartState) => addItem(s, add('sku-2', 1))],
      ['remove an item', (s: CartState) => removeItem(s, { cartId, productId: 'sku-1' })],
      ['enter an address', (s: CartState) => enterShippingInfo(s, { cartId, ...address })],
      ['check out again', (s: CartState) => checkOut(s, { cartId, accountId, orderId })],
    ])('refuses to %s, naming the order', (_change, decide) =>
      given(history()).when(decide).thenThrows(CartAlreadyCheckedOut, new RegExp(orderId)),
    );
  });
});
