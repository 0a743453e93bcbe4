import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import {
  EventSourcedRepository,
  PostgresEventStore,
  PostgresSnapshotStore,
} from '../event-store/index.js';
import { snapshottedAccountDefinition } from './account.snapshot.js';
import type { AccountState } from './domain/account.js';
import type { AccountEvent } from './domain/account.events.js';

@Injectable()
export class AccountRepository extends EventSourcedRepository<AccountState, AccountEvent> {
  constructor(
    store: PostgresEventStore,
    eventBus: EventBus,
    snapshots: PostgresSnapshotStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super({
      store,
      publisher: eventBus,
      definition: snapshottedAccountDefinition,
      snapshots: {
        store: snapshots,
        every: config.snapshotEvery,
        logger: new Logger(AccountRepository.name),
      },
      // An account's personal data is erased through this repository, which drops it from the cache at once.
      cache: config.aggregateCache,
    });
  }
}
