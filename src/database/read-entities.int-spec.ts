import { DataSource } from 'typeorm';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { AccountBalance } from '../accounts/projections/account-balance.entity.js';
import { AccountDailyVolumeCurrency } from '../accounts/projections/account-daily-volume-currency.entity.js';
import { AccountDailyVolume } from '../accounts/projections/account-daily-volume.entity.js';
import { AccountTransaction } from '../accounts/projections/account-transaction.entity.js';
import { CartItemRemoval } from '../carts/projections/cart-item-removal.entity.js';
import { CartView } from '../carts/projections/cart-view.entity.js';
import { CheckoutPending } from '../orders/projections/checkout-pending.entity.js';
import { OrderView } from '../orders/projections/order-view.entity.js';
import { ProcessedMessage } from '../shipping/processed-message.entity.js';
import { ShipmentView } from '../shipping/projections/shipment-view.entity.js';
import { dataSourceOptions } from './database.options.js';

/** The entities of read models and consumers' tables: each must describe its table exactly as the migrations made it. */
const ENTITIES = [
  AccountBalance,
  AccountTransaction,
  AccountDailyVolume,
  AccountDailyVolumeCurrency,
  CartView,
  CartItemRemoval,
  OrderView,
  CheckoutPending,
  ShipmentView,
  ProcessedMessage,
];

describe('read entities', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    scratch = await scratchDatabase(2);
    dataSource = new DataSource({
      ...dataSourceOptions(scratch.url, 2),
      migrationsRun: false,
      entities: ENTITIES,
      logging: false,
    });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await scratch?.drop();
  });

  it('match the migrated schema: migration:generate would write nothing', async () => {
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  });
});
