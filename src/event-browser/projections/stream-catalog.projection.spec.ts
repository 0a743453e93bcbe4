import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { StreamCatalogEntry } from './stream-catalog.entity.js';
import { type AnyEvent, categoryOf, streamCatalog } from './stream-catalog.projection.js';

const given = projectionSpecFor(streamCatalog);
const account = 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d';
const order = 'order-9c1c2d3e-0000-4000-8000-000000000001';
const event = (streamId: string, type: string): AnyEvent => ({ type, data: {}, streamId });

const openedRow: StreamCatalogEntry = {
  streamId: account,
  category: 'account',
  types: ['AccountOpened'],
};

describe('stream catalog', () => {
  it('catalogues a stream at its first event, its category the part of its id before the first dash', () => {
    given([at(event(account, 'AccountOpened'), 1, '2026-12-01T10:00:00.000Z', 10)]).then([
      openedRow,
    ]);
  });

  it('lists each type a stream holds once, in the order they first came', () => {
    given([
      at(event(account, 'AccountOpened'), 1, '2026-12-01T10:00:00.000Z', 10),
      at(event(order, 'OrderPlaced'), 1, '2026-12-01T10:00:30.000Z', 11),
      at(event(account, 'MoneyDeposited'), 2, '2026-12-01T10:01:00.000Z', 12),
      at(event(account, 'MoneyDeposited'), 3, '2026-12-01T10:02:00.000Z', 14),
    ]).then([
      { ...openedRow, types: ['AccountOpened', 'MoneyDeposited'] },
      { streamId: order, category: 'order', types: ['OrderPlaced'] },
    ]);
  });

  it('writes nothing for an event of a type its stream already holds', () => {
    const row = { ...openedRow, types: ['AccountOpened', 'MoneyDeposited'] };
    const deposit = at(event(account, 'MoneyDeposited'), 3, '2026-12-01T10:02:00.000Z', 14);
    expect(streamCatalog.evolve(row, deposit)).toBe(row);
  });

  it('takes a stream id without a dash as its own category', () => {
    expect(categoryOf('ledger')).toBe('ledger');
    expect(categoryOf('checkout-a-b')).toBe('checkout');
    expect(categoryOf('-x')).toBe('');
  });
});
