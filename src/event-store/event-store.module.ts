import { Global, Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { poolOf } from '../database/pool-of.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { PostgresSnapshotStore } from './postgres-snapshot-store.js';

/** The pg pool behind TypeORM's data source, shared so the store and the read side use one set of connections. */
export const PG_POOL = Symbol('PG_POOL');

/** The store, once the master keys are known to unwrap the keys already stored: a missing one stops start-up. */
async function eventStore(
  pool: Pool,
  registry: EventTypeRegistry,
  config: AppConfig,
): Promise<PostgresEventStore> {
  const { key, development, previous } = config.masterKey;
  if (development)
    new Logger('PersonalData').warn(
      'CHRONICLE_MASTER_KEY is unset: personal data is encrypted with the public development key, ' +
        'which protects nothing. Set CHRONICLE_MASTER_KEY before storing real personal data.',
    );
  const store = new PostgresEventStore(pool, registry, {
    masterKey: key,
    previousMasterKeys: previous,
  });
  await store.personalData.verifyMasterKeys();
  return store;
}

@Global()
@Module({
  providers: [
    EventTypeRegistry,
    { provide: PG_POOL, inject: [getDataSourceToken()], useFactory: poolOf },
    {
      provide: PostgresEventStore,
      inject: [PG_POOL, EventTypeRegistry, APP_CONFIG],
      useFactory: eventStore,
    },
    {
      provide: PostgresSnapshotStore,
      inject: [PG_POOL],
      useFactory: (pool: Pool) => new PostgresSnapshotStore(pool),
    },
  ],
  exports: [PG_POOL, EventTypeRegistry, PostgresEventStore, PostgresSnapshotStore],
})
export class EventStoreModule {}
