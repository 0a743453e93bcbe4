import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { migratedStore } from '../../test/support/database.js';
import { domainError } from '../shared/domain-error.js';
import type { AggregateDefinition } from './aggregate.js';
import { deterministicUuid } from './event-ids.js';
import { EventSourcedRepository, type EventPublisher } from './event-sourced-repository.js';
import { ConcurrencyError } from './event-store.errors.js';
import type { AppendOptions, DomainEvent, NewEvent } from './event-store.types.js';
import type { EventTypeRegistry } from './event-type-registry.js';
import type { PersistedEvent } from './persisted-event.js';
import { PostgresEventStore } from './postgres-event-store.js';

type Incremented = DomainEvent<'Incremented', { by: number }>;
type Counter = { count: number };

const counter: AggregateDefinition<Counter, Incremented> = {
  streamType: 'counter',
  initialState: () => ({ count: 0 }),
  evolve: (state, event) => ({ count: state.count + event.data.by }),
};
class LimitReached extends domainError('rejected', 'limit-reached') {}
const incremented = (by = 1): Incremented[] => [{ type: 'Incremented', data: { by } }];
const increment =
  (by = 1) =>
  () =>
    incremented(by);

class RecordingPublisher implements EventPublisher {
  readonly batches: PersistedEvent[][] = [];
  readonly visibleAtPublish: Array<Promise<PersistedEvent[]>> = [];

  constructor(private readonly reader: PostgresEventStore) {}

  publishAll(events: PersistedEvent[]): void {
    this.batches.push(events);
    this.visibleAtPublish.push(this.reader.readStream(events[0].streamId));
  }
}

/** Counts appends and loads, and can wait before each one or let another writer in first. */
class InstrumentedStore extends PostgresEventStore {
  appends = 0;
  loads = 0;

  constructor(
    pool: pg.Pool,
    registry: EventTypeRegistry,
    private readonly before: (streamId: string) => Promise<unknown> = async () => undefined,
  ) {
    super(pool, registry);
  }

  override async readStreamForFold(streamId: string, fromVersion?: number) {
    this.loads += 1;
    return super.readStreamForFold(streamId, fromVersion);
  }

  override async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions) {
    this.appends += 1;
    await this.before(streamId);
    return super.append(streamId, events, options);
  }
}

describe('EventSourcedRepository', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => ({ pool, store } = await migratedStore('Incremented')));
  afterAll(() => pool.end());

  const repositoryOn = (on: PostgresEventStore = store) => {
    const publisher = new RecordingPublisher(store);
    return {
      repository: new EventSourcedRepository({ store: on, publisher, definition: counter }),
      publisher,
    };
  };
  const streamOf = (id: string) => store.readStream(`counter-${id}`);

  it('loads a stream that does not exist as the initial state at version 0', async () => {
    const aggregate = await repositoryOn().repository.load(randomUUID());

    expect(aggregate.state).toEqual({ count: 0 });
    expect(aggregate.version).toBe(0);
  });

  it('appends what the decision produced and publishes the stored events once they are committed', async () => {
    const { repository, publisher } = repositoryOn();
    const id = randomUUID();
    await repository.update(id, increment(2));
    const metadata = { correlationId: randomUUID(), actor: 'tester' };

    const result = await repository.update(id, (state) => incremented(state.count), { metadata });

    expect(result).toMatchObject({
      version: 2,
      duplicate: false,
      decided: [{ type: 'Incremented', data: { by: 2 } }],
    });
    expect((await repository.load(id)).state).toEqual({ count: 4 });
    const [stored] = (await streamOf(id)).slice(1);
    const published = publisher.batches[1][0];
    expect(published).toMatchObject({
      eventId: stored.eventId,
      streamId: `counter-${id}`,
      streamVersion: 2,
      globalPosition: stored.globalPosition,
      transactionId: stored.transactionId,
      type: 'Incremented',
      data: { by: 2 },
      metadata,
    });
    expect((await publisher.visibleAtPublish[1]).map((e) => e.eventId)).toContain(
      published.eventId,
    );
  });

  it('writes and publishes nothing when the decision throws or decides nothing', async () => {
    const { repository, publisher } = repositoryOn();
    const id = randomUUID();
    await repository.update(id, increment());

    await expect(
      repository.update(id, () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(repository.update(id, () => [])).resolves.toMatchObject({
      version: 1,
      events: [],
    });

    expect(await streamOf(id)).toHaveLength(1);
    expect(publisher.batches).toHaveLength(1);
  });

  it('queues concurrent commands on one aggregate in one process instead of conflicting', async () => {
    const counting = new InstrumentedStore(pool, store.registry, () => sleep(5));
    const { repository, publisher } = repositoryOn(counting);
    const id = randomUUID();
    const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);

    const results = await Promise.all(oneToTen.map(() => repository.update(id, increment())));

    expect(results.map((r) => r.version)).toEqual(oneToTen);
    expect(counting.appends).toBe(10);
    expect((await repository.load(id)).state).toEqual({ count: 10 });
    expect(publisher.batches.flat().map((e) => e.streamVersion)).toEqual(oneToTen);
  });

  it('retries a conflict with another process on fresh state', async () => {
    const first = new InstrumentedStore(pool, store.registry, () => sleep(20));
    const second = new InstrumentedStore(pool, store.registry, () => sleep(20));
    const one = repositoryOn(first);
    const two = repositoryOn(second);
    const id = randomUUID();

    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => one.repository.update(id, increment())),
      ...Array.from({ length: 3 }, () => two.repository.update(id, increment())),
    ]);

    expect(results).toHaveLength(6);
    expect(first.appends + second.appends).toBeGreaterThan(6);
    expect((await streamOf(id)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await one.repository.load(id)).state).toEqual({ count: 6 });
    expect([...one.publisher.batches, ...two.publisher.batches]).toHaveLength(6);
  });

  it('gives up with a ConcurrencyError when another process keeps winning', async () => {
    const interfering = new InstrumentedStore(pool, store.registry, (streamId) =>
      store.append(streamId, incremented()),
    );
    const { repository, publisher } = repositoryOn(interfering);
    const id = randomUUID();

    await expect(repository.update(id, increment(100))).rejects.toThrow(ConcurrencyError);

    expect(interfering.appends).toBe(5);
    expect((await streamOf(id)).map((e) => e.data.by)).toEqual([1, 1, 1, 1, 1]);
    expect(publisher.batches).toHaveLength(0);
  });

  it('refuses a stale expected version without retrying or writing', async () => {
    const counting = new InstrumentedStore(pool, store.registry);
    const { repository, publisher } = repositoryOn(counting);
    const id = randomUUID();
    await repository.update(id, increment());
    await repository.update(id, increment());

    const error = await repository
      .update(id, increment(), { expectedVersion: 1 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect(counting.appends).toBe(2);
    expect(await streamOf(id)).toHaveLength(2);
    expect(publisher.batches).toHaveLength(2);
  });

  it('stores and publishes a command once when it runs again with the same command id', async () => {
    const { repository, publisher } = repositoryOn();
    const id = randomUUID();
    const commandId = randomUUID();

    const first = await repository.update(id, increment(), { metadata: { commandId } });
    const again = await repository.update(id, increment(), { metadata: { commandId } });
    const other = await repository.update(id, increment(), {
      metadata: { commandId: randomUUID() },
    });

    expect(first.duplicate).toBe(false);
    expect(first.events[0].eventId).toBe(deterministicUuid(commandId, `counter-${id}`, 0));
    expect(again).toMatchObject({
      duplicate: true,
      version: first.version,
      position: first.position,
    });
    expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(other).toMatchObject({ duplicate: false, version: 2 });
    expect(await streamOf(id)).toHaveLength(2);
    expect(publisher.batches.map((batch) => batch[0].eventId)).toEqual([
      first.events[0].eventId,
      other.events[0].eventId,
    ]);
  });

  it('answers a repeated command whose own events now break a rule with what its first run stored', async () => {
    const { repository } = repositoryOn();
    const id = randomUUID();
    const commandId = randomUUID();
    const atMostOnce = (state: Counter) => {
      if (state.count >= 1) throw new LimitReached('The counter is at its limit');
      return incremented();
    };

    const first = await repository.update(id, atMostOnce, { metadata: { commandId } });
    const again = await repository.update(id, atMostOnce, { metadata: { commandId } });

    expect(again).toMatchObject({ duplicate: true, version: first.version });
    await expect(
      repository.update(id, atMostOnce, { metadata: { commandId: randomUUID() } }),
    ).rejects.toBeInstanceOf(LimitReached);
    expect(await streamOf(id)).toHaveLength(1);
  });

  it('never answers a failure that is not a rule, a conflict or a reused id with an earlier run', async () => {
    const { repository } = repositoryOn();
    const id = randomUUID();
    const commandId = randomUUID();
    await repository.update(id, increment(), { metadata: { commandId } });

    const broken = () => {
      throw new Error('disk on fire');
    };
    await expect(repository.update(id, broken, { metadata: { commandId } })).rejects.toThrow(
      'disk on fire',
    );
  });

  describe('with a cache of the aggregates it saved', () => {
    const cachedOn = (on: PostgresEventStore) =>
      new EventSourcedRepository({
        store: on,
        publisher: new RecordingPublisher(store),
        definition: counter,
        cache: { size: 100, ttlMs: 60_000 },
      });

    it('decides the next command on the aggregate it saved, without reading its stream again', async () => {
      const counting = new InstrumentedStore(pool, store.registry);
      const repository = cachedOn(counting);
      const id = randomUUID();

      await repository.update(id, increment(2));
      const result = await repository.update(id, (state) => incremented(state.count));

      expect(result.version).toBe(2);
      expect(counting.loads).toBe(1);
      expect((await streamOf(id)).map((e) => e.data.by)).toEqual([2, 2]);
    });

    it('reads the stream again when another process appended meanwhile, and decides on that', async () => {
      const counting = new InstrumentedStore(pool, store.registry);
      const repository = cachedOn(counting);
      const id = randomUUID();
      await repository.update(id, increment(1));
      await store.append(`counter-${id}`, incremented(10)); // another process

      const result = await repository.update(id, (state) => incremented(state.count));

      expect(result.version).toBe(3);
      expect((await streamOf(id)).map((e) => e.data.by)).toEqual([1, 10, 11]);
      expect(counting.loads).toBe(2);
    });

    it('reads the stream before refusing an expected version its kept copy is behind', async () => {
      const repository = cachedOn(store);
      const id = randomUUID();
      await repository.update(id, increment(1));
      await store.append(`counter-${id}`, incremented(1)); // another process: version 2

      await expect(
        repository.update(id, increment(1), { expectedVersion: 2 }),
      ).resolves.toMatchObject({ version: 3 });
      await expect(
        repository.update(id, increment(1), { expectedVersion: 2 }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('does not keep an aggregate whose decision threw or whose personal data it erased', async () => {
      const counting = new InstrumentedStore(pool, store.registry);
      const repository = cachedOn(counting);
      const id = randomUUID();
      await repository.update(id, increment(1));

      await expect(
        repository.update(id, (state) => {
          state.count = 1_000; // a decision that breaks the rules and throws must not leave this behind
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await repository.update(id, (state) => incremented(state.count));
      await repository.update(id, increment(1), { erasePersonalDataOf: [randomUUID()] });
      await repository.update(id, increment(1));

      expect((await streamOf(id)).map((e) => e.data.by)).toEqual([1, 1, 1, 1]);
      expect(counting.loads).toBe(4);
    });
  });
});
