import { Injectable, type Type } from '@nestjs/common';
import { type EntityManager, getMetadataArgsStorage, type ObjectLiteral } from 'typeorm';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { type EntityProjection, EntityWriter, writeEntities } from './entity-projection.js';
import { Projection, type ProjectionTransaction, type ReadModel } from './processor.js';

/** `eventTypes` of a projection over the whole log: every type the modules registered, read at bootstrap. */
export const EVERY_EVENT_TYPE = 'every registered type';

/** An entity projection with what the engine needs to run it: the whole declaration of a read model. */
export interface DeclaredProjection<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
> extends EntityProjection<Row, E> {
  /** Its checkpoint's name, shown in /admin/projections. */
  readonly name: string;
  /** The types `evolve` reads; the others only move its checkpoint. */
  readonly eventTypes: ReadonlyArray<E['type']> | typeof EVERY_EVENT_TYPE;
  /** See ProcessorOptions: what `evolve` never reads is not read from the log. */
  readonly withoutMetadata?: boolean;
  readonly withoutData?: boolean;
  readonly wakeIntervalMs?: number;
}

/**
 * The provider that runs `declared` as a read model: its table from the entity, its writes through the one
 * entity writer (a page per `apply`, several per transaction while catching up). List it in the module's providers.
 */
export function projectionOf<Row extends ObjectLiteral, E extends { type: string; data: unknown }>(
  declared: DeclaredProjection<Row, E>,
): Type<ReadModel> {
  const tables = [tableOf(declared.entity)];

  @Projection(declared.name)
  @Injectable()
  class EntityProjectionHandler implements ReadModel {
    readonly tables = tables;
    readonly withoutMetadata = declared.withoutMetadata;
    readonly withoutData = declared.withoutData;
    readonly wakeIntervalMs = declared.wakeIntervalMs;

    constructor(private readonly registry: EventTypeRegistry) {}

    get eventTypes(): readonly string[] {
      const types = declared.eventTypes;
      return types === EVERY_EVENT_TYPE ? this.registry.eventTypes : types;
    }

    apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
      return writeEntities(declared, events, tx);
    }

    open(tx: EntityManager): ProjectionTransaction {
      return new EntityWriter(declared, tx);
    }
  }
  // Nest names providers by their class: one name per projection in its messages.
  Object.defineProperty(EntityProjectionHandler, 'name', { value: `Projection(${declared.name})` });
  return EntityProjectionHandler;
}

/** The table an `@Entity('name')` class maps to; a name left to the naming strategy is refused. */
export function tableOf(entity: new () => ObjectLiteral): string {
  const name = getMetadataArgsStorage().tables.find((table) => table.target === entity)?.name;
  if (!name) throw new Error(`${entity.name} is not an @Entity with its table named`);
  return name;
}
