import { AccountBalance } from '../accounts/projections/account-balance.entity.js';
import { AccountDailyVolumeCurrency } from '../accounts/projections/account-daily-volume-currency.entity.js';
import { AccountDailyVolume } from '../accounts/projections/account-daily-volume.entity.js';
import { AccountTransaction } from '../accounts/projections/account-transaction.entity.js';
import { CartItemRemoval } from '../carts/projections/cart-item-removal.entity.js';
import { CartView } from '../carts/projections/cart-view.entity.js';
import { CorrelationEvent } from '../event-browser/projections/correlation-event.entity.js';
import { StreamCatalogEntry } from '../event-browser/projections/stream-catalog.entity.js';
import { CheckoutPending } from '../orders/projections/checkout-pending.entity.js';
import { OrderView } from '../orders/projections/order-view.entity.js';
import { ProcessedMessage } from '../shipping/processed-message.entity.js';
import { ShipmentView } from '../shipping/projections/shipment-view.entity.js';

/** Every TypeORM entity (the modules register their own): for the CLI and the test that they match the schema. */
export const ENTITIES = [
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
  StreamCatalogEntry,
  CorrelationEvent,
];
