import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { EventTypeRegistry } from './event-type-registry.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { PostgresSnapshotStore } from './postgres-snapshot-store.js';

/** The pg pool behind TypeORM's data source, shared so the store and the read side use one set of connections. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

@Global()
@Module({
  providers: [
    EventTypeRegistry,
    {
      provide: PostgresEventStore,
      inject: [getDataSourceToken(), EventTypeRegistry],
      useFactory: (dataSource: DataSource, registry: EventTypeRegistry) =>
        new PostgresEventStore(poolOf(dataSource), registry),
    },
    {
      provide: PostgresSnapshotStore,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) => new PostgresSnapshotStore(poolOf(dataSource)),
    },
  ],
  exports: [EventTypeRegistry, PostgresEventStore, PostgresSnapshotStore],
})
export class EventStoreModule {}
