import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventSourcedRepository } from '../event-store/event-sourced-repository.js';
import { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { accountDefinition, type AccountState } from './domain/account.js';
import type { AccountEvent } from './domain/account.events.js';

@Injectable()
export class AccountRepository extends EventSourcedRepository<AccountState, AccountEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super(store, eventBus, accountDefinition);
  }
}
