import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import { PROCESSOR_METADATA, type ReadModel } from './processor.js';
import {
  type DeclaredProjection,
  EVERY_EVENT_TYPE,
  projectionOf,
  tableOf,
} from './projection-of.js';

@Entity('tallies')
class Tally {
  @PrimaryColumn('text') id!: string;
  @Column('integer') count!: number;
}

@Entity()
class Unnamed {
  @PrimaryColumn('text') id!: string;
}

type Counted = { type: 'Counted'; data: { id: string } };

const tallies: DeclaredProjection<Tally, Counted> = {
  name: 'tallies',
  eventTypes: ['Counted'],
  entity: Tally,
  rowId: (event: Counted) => event.data.id,
  evolve: (row: Tally | null, event: Counted) => ({
    id: event.data.id,
    count: (row?.count ?? 0) + 1,
  }),
  withoutMetadata: true,
  wakeIntervalMs: 250,
};

const handlerOf = (
  declared: DeclaredProjection<Tally, Counted>,
  registry = new EventTypeRegistry(),
) => {
  const Handler = projectionOf(declared);
  return { Handler, handler: new Handler(registry) as ReadModel };
};

/** A provider a declaration is built from. */
@Injectable()
class Pace {
  readonly wakeIntervalMs = 125;
}

const pacedTallies = (pace: Pace, name: string): DeclaredProjection<Tally, Counted> => ({
  ...tallies,
  name,
  wakeIntervalMs: pace.wakeIntervalMs,
});

/** The provider `Handler` as Nest builds it, given the registry and `providers`. */
const built = async (Handler: ReturnType<typeof projectionOf>, providers: unknown[] = []) => {
  const moduleRef = await Test.createTestingModule({
    providers: [EventTypeRegistry, Handler, ...(providers as [])],
  }).compile();
  return moduleRef.get<ReadModel>(Handler);
};

describe('projectionOf', () => {
  it('runs a declared entity projection under its name, writing only its entity’s table', () => {
    const { Handler, handler } = handlerOf(tallies);

    expect(Reflect.getMetadata(PROCESSOR_METADATA, Handler)).toEqual({
      name: 'tallies',
      kind: 'projection',
    });
    expect(handler.tables).toEqual(['tallies']);
    expect(handler.eventTypes).toEqual(['Counted']);
    expect(handler.withoutMetadata).toBe(true);
    expect(handler.withoutData).toBeUndefined();
    expect(handler.wakeIntervalMs).toBe(250);
    expect(handler.open).toBeInstanceOf(Function);
  });

  it('reads every registered type, as registered by the time the engine asks', () => {
    const registry = new EventTypeRegistry();
    const { handler } = handlerOf({ ...tallies, eventTypes: EVERY_EVENT_TYPE }, registry);
    registry.register({ type: 'Opened' }, { type: 'Closed' });

    expect([...handler.eventTypes].sort()).toEqual(['Closed', 'Opened']);
  });

  it('refuses an entity whose table the naming strategy would choose', () => {
    expect(() => tableOf(Unnamed)).toThrow('Unnamed is not an @Entity with its table named');
    expect(tableOf(Tally)).toBe('tallies');
  });

  it('builds a declaration from the providers it injects, named once built', async () => {
    const Handler = projectionOf(pacedTallies, { inject: [Pace, 'TALLY_NAME'] });
    expect(Handler.name).toBe('Projection(pacedTallies)');

    const handler = await built(Handler, [Pace, { provide: 'TALLY_NAME', useValue: 'tallies' }]);

    expect(Reflect.getMetadata(PROCESSOR_METADATA, Handler)).toEqual({
      name: 'tallies',
      kind: 'projection',
    });
    expect(handler.tables).toEqual(['tallies']);
    expect(handler.eventTypes).toEqual(['Counted']);
    expect(handler.wakeIntervalMs).toBe(125);
  });

  it('injects only the registry into a declaration that needs no provider', async () => {
    const Handler = projectionOf(tallies);

    const handler = await built(Handler);

    expect(handler.tables).toEqual(['tallies']);
    expect(Handler.name).toBe('Projection(tallies)');
  });
});
