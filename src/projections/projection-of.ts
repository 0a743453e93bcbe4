import { Inject, Injectable, type InjectionToken, type Type } from '@nestjs/common';
import { type EntityManager, getMetadataArgsStorage, type ObjectLiteral } from 'typeorm';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { type EntityProjection, EntityWriter, writeEntities } from './entity-projection.js';
import { Projection, type ProjectionTransaction, type ReadModel } from './processor.js';

/** `eventTypes` of a projection over the whole log: every type the modules registered, read at bootstrap. */
export const EVERY_EVENT_TYPE = 'every registered type';

type AnyEvent = { type: string; data: unknown };

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

/** The tokens Nest injects, in the order a declaration built from them takes them. */
export interface ProjectionDependencies<Deps extends readonly unknown[]> {
  readonly inject: { readonly [K in keyof Deps]: InjectionToken<Deps[K]> };
}

/**
 * The provider that runs `declared` as a read model: its table from the entity, its writes through the one
 * entity writer (a page per `apply`, several per transaction while catching up). List it in the module's providers.
 * A declaration that needs providers is a function of them, listed in `inject` (see docs/architecture.md#projections).
 */
export function projectionOf<Row extends ObjectLiteral, E extends { type: string; data: unknown }>(
  declared: DeclaredProjection<Row, E>,
): Type<ReadModel>;
export function projectionOf<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
  Deps extends readonly unknown[],
>(
  declare: (...dependencies: Deps) => DeclaredProjection<Row, E>,
  dependencies: ProjectionDependencies<Deps>,
): Type<ReadModel>;
export function projectionOf(
  declaration:
    | DeclaredProjection<ObjectLiteral, AnyEvent>
    | ((...dependencies: unknown[]) => DeclaredProjection<ObjectLiteral, AnyEvent>),
  dependencies?: ProjectionDependencies<unknown[]>,
): Type<ReadModel> {
  const declare = typeof declaration === 'function' ? declaration : () => declaration;

  @Injectable()
  class EntityProjectionHandler implements ReadModel {
    readonly tables: readonly string[];
    readonly withoutMetadata?: boolean;
    readonly withoutData?: boolean;
    readonly wakeIntervalMs?: number;
    private readonly declared: DeclaredProjection<ObjectLiteral, AnyEvent>;

    constructor(
      private readonly registry: EventTypeRegistry,
      ...injected: unknown[]
    ) {
      const declared = declare(...injected);
      this.declared = declared;
      this.tables = [tableOf(declared.entity)];
      this.withoutMetadata = declared.withoutMetadata;
      this.withoutData = declared.withoutData;
      this.wakeIntervalMs = declared.wakeIntervalMs;
      // A declaration built from providers is named only now; the runner reads names once every provider is built.
      if (typeof declaration === 'function') Projection(declared.name)(EntityProjectionHandler);
    }

    get eventTypes(): readonly string[] {
      const types = this.declared.eventTypes;
      return types === EVERY_EVENT_TYPE ? this.registry.eventTypes : types;
    }

    apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
      return writeEntities(this.declared, events, tx);
    }

    open(tx: EntityManager): ProjectionTransaction {
      return new EntityWriter(this.declared, tx);
    }
  }
  // The registry, then each token in `inject`: not the `Object` the compiler records for the rest parameter.
  Reflect.defineMetadata('design:paramtypes', [EventTypeRegistry], EntityProjectionHandler);
  dependencies?.inject.forEach((token, i) =>
    Inject(token)(EntityProjectionHandler, undefined, i + 1),
  );
  if (typeof declaration !== 'function') Projection(declaration.name)(EntityProjectionHandler);
  // Nest names providers by their class: one name per projection in its messages.
  Object.defineProperty(EntityProjectionHandler, 'name', {
    value: `Projection(${declaration.name})`,
  });
  return EntityProjectionHandler;
}

/** The table an `@Entity('name')` class maps to; a name left to the naming strategy is refused. */
export function tableOf(entity: new () => ObjectLiteral): string {
  const name = getMetadataArgsStorage().tables.find((table) => table.target === entity)?.name;
  if (!name) throw new Error(`${entity.name} is not an @Entity with its table named`);
  return name;
}
