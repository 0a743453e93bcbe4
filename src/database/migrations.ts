import { CreateAccountReadModels1763798400200 } from '../accounts/migrations/1763798400200-create-account-read-models.js';
import { CreateAccountDailyVolume1763798400400 } from '../accounts/migrations/1763798400400-create-account-daily-volume.js';
import { AccountBalancesFillfactor1763798400800 } from '../accounts/migrations/1763798400800-account-balances-fillfactor.js';
import { SealOwnerNames1765000001000 } from '../accounts/migrations/1765000001000-seal-owner-names.js';
import { AccountOwners1765000001400 } from '../accounts/migrations/1765000001400-account-owners.js';
import { CreateCartReadModels1763798410000 } from '../carts/migrations/1763798410000-create-cart-read-models.js';
import { SealShippingAddresses1765000001100 } from '../carts/migrations/1765000001100-seal-shipping-addresses.js';
import { EventBrowser1765000001800 } from '../event-browser/migrations/1765000001800-event-browser.js';
import { EventBrowserReadsTheLog1765000002100 } from '../event-browser/migrations/1765000002100-event-browser-reads-the-log.js';
import { CreateEvents1763798400000 } from '../event-store/migrations/1763798400000-create-events.js';
import { CreateSnapshots1763798400600 } from '../event-store/migrations/1763798400600-create-snapshots.js';
import { CreatePersonalDataKeys1763798400700 } from '../event-store/migrations/1763798400700-create-personal-data-keys.js';
import { KeepSnapshotHistory1765000000600 } from '../event-store/migrations/1765000000600-keep-snapshot-history.js';
import { PersonalDataKeysByLowerSubject1765000001200 } from '../event-store/migrations/1765000001200-personal-data-keys-by-lower-subject.js';
import { MasterKeyIds1765000001300 } from '../event-store/migrations/1765000001300-master-key-ids.js';
import { StreamHeads1765000001900 } from '../event-store/migrations/1765000001900-stream-heads.js';
import { AppendByKey1765000002000 } from '../event-store/migrations/1765000002000-append-by-key.js';
import { CreateIdempotencyKeys1763798400300 } from '../http/migrations/1763798400300-create-idempotency-keys.js';
import { IdempotencyCommandIds1765000000000 } from '../http/migrations/1765000000000-idempotency-command-ids.js';
import { CreateOrders1763798420000 } from '../orders/migrations/1763798420000-create-orders.js';
import { CheckoutPendingProjection1765000001700 } from '../orders/migrations/1765000001700-checkout-pending-projection.js';
import { OrdersByCustomer1765000001500 } from '../orders/migrations/1765000001500-orders-by-customer.js';
import { CreateProjectionCheckpoints1763798400100 } from '../projections/migrations/1763798400100-create-projection-checkpoints.js';
import { ProjectionOperations1763798400500 } from '../projections/migrations/1763798400500-projection-operations.js';
import { CreateShipping1763798420100 } from '../shipping/migrations/1763798420100-create-shipping.js';
import { ShipmentCustomers1765000001600 } from '../shipping/migrations/1765000001600-shipment-customers.js';

/** Every schema change, in order. Run at start-up; `synchronize` is never used. */
export const MIGRATIONS = [
  CreateEvents1763798400000,
  CreateProjectionCheckpoints1763798400100,
  CreateAccountReadModels1763798400200,
  CreateIdempotencyKeys1763798400300,
  CreateAccountDailyVolume1763798400400,
  ProjectionOperations1763798400500,
  CreateSnapshots1763798400600,
  CreatePersonalDataKeys1763798400700,
  AccountBalancesFillfactor1763798400800,
  CreateCartReadModels1763798410000,
  CreateOrders1763798420000,
  CreateShipping1763798420100,
  IdempotencyCommandIds1765000000000,
  KeepSnapshotHistory1765000000600,
  SealOwnerNames1765000001000,
  SealShippingAddresses1765000001100,
  PersonalDataKeysByLowerSubject1765000001200,
  MasterKeyIds1765000001300,
  AccountOwners1765000001400,
  OrdersByCustomer1765000001500,
  ShipmentCustomers1765000001600,
  CheckoutPendingProjection1765000001700,
  EventBrowser1765000001800,
  StreamHeads1765000001900,
  AppendByKey1765000002000,
  EventBrowserReadsTheLog1765000002100,
];
