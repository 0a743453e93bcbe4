import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { migratedPool, storeOn } from '../../test/support/database.js';
import { loadConfig } from '../config/config.js';
import { type PersistedEvent, type PostgresEventStore, START } from '../event-store/index.js';
import { type ProjectionRunner, reached } from '../projections/index.js';
import { LiveFeed } from './live-feed.js';

/** What a client reads from a live response: the ids of the messages written to it. */
class ReadResponse extends EventEmitter {
  text = '';
  destroyed = false;
  writableNeedDrain = false;
  writableFinished = true;
  writeHead() {
    return this;
  }
  flushHeaders() {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  end(chunk = '') {
    this.text += chunk;
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  get ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

/**
 * The feed's joins, with its wakes in the test's hands (no commit notices, a poll it never reaches): a subscriber
 * catching up on events the feed has not read yet, and one starting past the feed.
 */
describe('LiveFeed: catching up to the live feed', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let feed: LiveFeed;
  const category = `lt${randomBytes(4).toString('hex')}`;
  const responses: ReadResponse[] = [];

  beforeAll(async () => {
    pool = await migratedPool(4);
    store = storeOn(pool, 'Noted');
    const runner = { onCommitNotice: () => () => {} } as unknown as ProjectionRunner;
    feed = new LiveFeed(store, runner, loadConfig({ PROJECTION_POLL_MS: '60000' }));
    feed.onModuleInit();
  });
  afterAll(async () => {
    for (const response of responses) response.destroy();
    await feed.beforeApplicationShutdown();
    await pool.end();
  });

  const append = async (stream: string, n: number) => {
    const { events } = await store.append(`${category}-${stream}`, [
      { type: 'Noted', data: { n } },
    ]);
    return events[0];
  };
  const follow = async (after?: number) => {
    const response = new ReadResponse();
    responses.push(response);
    const start = after === undefined ? undefined : await store.checkpointOf(after);
    await feed.open(response as unknown as ServerResponse, {
      filter: { category },
      withMetadata: false,
      principalKey: `${category}-${responses.length}`,
      start,
    });
    return response;
  };
  let visible = false;
  const until = async (condition: () => boolean, look?: () => Promise<void>) => {
    for (let i = 0; i < 500 && !condition(); i++) {
      await sleep(10);
      await look?.();
    }
    expect(condition()).toBe(true);
  };

  it('sends a newcomer what the feed has read from its own reads, and what it has not from the feed, once', async () => {
    const before: PersistedEvent[] = [];
    for (let n = 1; n <= 5; n++) before.push(await append('a', n));
    // Another session on the server may hold the read horizon back a moment: the feed starts at the end it sees.
    await until(
      () => visible,
      async () => {
        visible = reached(await store.lastCheckpoint(), before[4].checkpoint);
      },
    );
    const watcher = await follow(before[4].globalPosition);
    const after: PersistedEvent[] = [];
    for (let n = 6; n <= 8; n++) after.push(await append('b', n));

    visible = false;
    await until(
      () => visible,
      async () => {
        visible = reached(await store.lastCheckpoint(), after[2].checkpoint);
      },
    );
    // The feed is at the fifth event; the newcomer's read returns the three after it too.
    const newcomer = await follow(before[1].globalPosition);
    const early = before.slice(2).map((e) => e.globalPosition);
    await until(() => newcomer.ids.length >= early.length);
    await sleep(50);
    expect(newcomer.ids).toEqual(early);

    // One starting past the feed joins at once and has the events up to its start passed over.
    const ahead = await follow(after[1].globalPosition);

    feed.wake(after[2].checkpoint);
    const late = after.map((e) => e.globalPosition);
    await until(() => newcomer.ids.length === early.length + late.length);
    await until(() => ahead.ids.length === 1);
    await sleep(50);
    expect(newcomer.ids).toEqual([...early, ...late]);
    expect(watcher.ids).toEqual(late);
    expect(ahead.ids).toEqual([after[2].globalPosition]);
  });

  it('does not count a client that left while it was admitted: its slot is free at once', async () => {
    const before = feed.subscribers;
    const gone = new ReadResponse();
    gone.destroy();
    await feed.open(gone as unknown as ServerResponse, {
      filter: { category },
      withMetadata: false,
      principalKey: `${category}-gone`,
    });
    expect(feed.subscribers).toBe(before);
    expect(gone.text).toBe('');
  });

  it("catches one stream up through the stream's own events, not pages of the whole log", async () => {
    const mine = [await append('one', 1)];
    // 2,500 events of other streams between the stream's: three pages of the log.
    const others = Array.from({ length: 2_500 }, (_, n) => ({ type: 'Noted', data: { n } }));
    for (let i = 0; i < others.length; i += 500)
      await store.append(`${category}-others${i}`, others.slice(i, i + 500));
    mine.push(await append('one', 2));
    visible = false;
    await until(
      () => visible,
      async () => {
        visible = reached(await store.lastCheckpoint(), mine[1].checkpoint);
      },
    );
    feed.wake(mine[1].checkpoint);
    const reads: Array<{ streamId?: string; fromStart: boolean }> = [];
    const readAll = store.readAll.bind(store);
    store.readAll = (options) => {
      reads.push({ streamId: options?.streamId, fromStart: options?.after === START });
      return readAll(options);
    };
    try {
      const response = new ReadResponse();
      responses.push(response);
      await feed.open(response as unknown as ServerResponse, {
        filter: { stream: `${category}-one` },
        withMetadata: false,
        principalKey: `${category}-one`,
        start: START,
      });
      await until(() => response.ids.length === 2);
      expect(response.ids).toEqual(mine.map((e) => e.globalPosition));
      // Its reads are the stream's (the feed's own reads go on from the feed's position, never from the start).
      expect(reads.filter((r) => r.streamId === `${category}-one`).length).toBeGreaterThan(0);
      expect(reads.filter((r) => r.fromStart && r.streamId === undefined)).toEqual([]);
    } finally {
      store.readAll = readAll;
    }
  });
});
