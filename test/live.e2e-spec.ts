import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import type { LiveConfig } from '../src/config/config.js';
import {
  type Checkpoint,
  EventTypeRegistry,
  type PersistedEvent,
  PostgresEventStore,
} from '../src/event-store/index.js';
import { LiveFeed } from '../src/live/index.js';
import { accountsApi } from './support/accounts-api.js';
import { customerToken, tokenFor } from './support/auth.js';
import { eventually } from './support/eventually.js';
import request from './support/http.js';
import { LiveClient } from './support/live-client.js';
import { startTestApp, testConfig, testDatabaseUrl } from './support/test-app.js';

const AUDITOR = tokenFor('live-auditor', ['auditor']);
const TELLER = tokenFor('live-teller', ['teller']);
const DEFAULT_LIVE = testConfig().live;

interface Served {
  running: RunningApp;
  baseUrl: string;
  store: PostgresEventStore;
  close(): Promise<void>;
}

async function serve(
  live: Partial<LiveConfig> = {},
  overrides: Parameters<typeof startTestApp>[0] = {},
): Promise<Served> {
  const running = await startTestApp({ ...overrides, live: { ...DEFAULT_LIVE, ...live } });
  await running.app.listen(0, '127.0.0.1');
  const { port } = running.app.getHttpServer().address() as AddressInfo;
  return {
    running,
    baseUrl: `http://127.0.0.1:${port}`,
    store: running.app.get(PostgresEventStore),
    close: () => running.close(),
  };
}

describe('live subscriptions over HTTP (Server-Sent Events)', () => {
  let app: Served;
  let pool: pg.Pool;
  const clients: LiveClient[] = [];
  const accounts = () => accountsApi(app.running.app.getHttpServer());
  const open = async (path: string, token = AUDITOR, lastEventId?: string) => {
    const client = await LiveClient.open(app.baseUrl, path, { token, lastEventId });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    app = await serve({ heartbeatMs: 15_000 });
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 8 });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await pool.end();
    await app.close();
  });

  /**
   * The log after `after`, read once every writer is done, and again until it holds `complete` (an open transaction
   * elsewhere, a projection's batch, may hold the read horizon back a moment): what a subscriber must have received.
   */
  async function logAfter(
    after: Checkpoint,
    keep: (e: PersistedEvent) => boolean,
    complete: (events: PersistedEvent[]) => boolean,
  ) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const events: PersistedEvent[] = [];
      let cursor = after;
      for (;;) {
        const page = await app.store.readAll({ after: cursor, limit: 1000 });
        if (page.length === 0) break;
        events.push(...page.filter(keep));
        cursor = page[page.length - 1].checkpoint;
      }
      if (complete(events) || Date.now() > deadline) return events;
      await sleep(20);
    }
  }
  const checkpointOf = async (position: number) => (await app.store.checkpointOf(position))!;

  /** Appends in explicit transactions that take their xid early and commit late: commits out of position order. */
  async function racingWriters(accountIds: string[], perWriter: number): Promise<void> {
    const registry = app.running.app.get(EventTypeRegistry);
    await Promise.all(
      accountIds.map(async (accountId, w) => {
        for (let i = 0; i < perWriter; i++) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            if ((w + i) % 2 === 0) await client.query('SELECT pg_current_xact_id()');
            await sleep(Math.random() * 15);
            await new PostgresEventStore(client, registry).append(`account-${accountId}`, [
              {
                type: 'MoneyDeposited',
                data: { accountId, amount: 1 + i, description: `race ${w}.${i}`, source: 'other' },
              },
            ]);
            await sleep(Math.random() * 15);
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }
      }),
    );
  }

  it('streams the events of several streams in commit order, each subscriber through its filters', async () => {
    const [a, b, c] = [await accounts().open(), await accounts().open(), await accounts().open()];
    const start = await checkpointOf(c.position);
    const everything = await open(`/events/live?after=${c.position}`);
    const deposits = await open(
      `/events/live?category=account&types=MoneyDeposited&after=${c.position}`,
    );
    const ofB = await open(`/events/live?stream=account-${b.id}&after=${c.position}`);
    const ofA = await open(`/accounts/${a.id}/live?after=${c.position}`, TELLER);
    expect(everything.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(everything.headers['cache-control']).toBe('no-store');

    for (const id of [a.id, b.id, c.id, b.id, a.id]) await accounts().deposit(id, 100);
    await accounts().withdraw(b.id, 50);
    const last = await accounts().withdraw(a.id, 30);

    const logged = await logAfter(
      start,
      () => true,
      (events) => events.some((e) => e.globalPosition === last.position),
    );
    expect(logged.at(-1)!.globalPosition).toBe(last.position);
    await everything.until(() => everything.ids.length === logged.length);
    expect(everything.ids).toEqual(logged.map((e) => e.globalPosition));
    expect(everything.events.map((m) => m.event)).toEqual(logged.map((e) => e.type));

    const expectIds = async (client: LiveClient, keep: (e: PersistedEvent) => boolean) => {
      const wanted = logged.filter(keep).map((e) => e.globalPosition);
      await client.until(() => client.ids.length >= wanted.length);
      await sleep(100);
      expect(client.ids).toEqual(wanted);
    };
    await expectIds(deposits, (e) => e.type === 'MoneyDeposited');
    await expectIds(ofB, (e) => e.streamId === `account-${b.id}`);
    await expectIds(ofA, (e) => e.streamId === `account-${a.id}`);

    // data is the raw events endpoint's DTO: the same JSON, metadata included for staff.
    const raw = await accounts().events(a.id);
    expect(ofA.events.map((m) => JSON.parse(m.data!))).toEqual(
      raw.filter((e) => e.position > c.position),
    );
  });

  it("is woken by a commit, its own process's or another's, not by its poll", async () => {
    // The poll a minute away: only the commit notices can bring a deposit within seconds.
    const slowPoll = { projections: { ...testConfig().projections, pollMs: 60_000 } };
    const own = await serve({}, slowPoll);
    const other = await serve({}, slowPoll);
    try {
      const account = await accountsApi(own.running.app.getHttpServer()).open();
      for (const writer of [own, other]) {
        const client = await LiveClient.open(
          own.baseUrl,
          `/accounts/${account.id}/live?after=${account.position}`,
          { token: TELLER },
        );
        clients.push(client);
        const deposit = await accountsApi(writer.running.app.getHttpServer()).deposit(
          account.id,
          5,
        );
        await client.until(() => client.ids.includes(deposit.position), 5_000);
      }
    } finally {
      await other.close();
      await own.close();
    }
  });

  it('resumes with Last-Event-ID exactly after the last event received, under racing writers', async () => {
    // Opened one after another, so the last opened is also the last in the log's order.
    const opened = [];
    for (let i = 0; i < 5; i++) opened.push(await accounts().open());
    const start = opened.at(-1)!.position;
    const mine = new Set(opened.map((o) => `account-${o.id}`));
    const first = await open(`/events/live?category=account&after=${start}`);

    const writing = Promise.all([
      racingWriters(
        opened.slice(0, 4).map((o) => o.id),
        30,
      ),
      (async () => {
        for (let i = 0; i < 40; i++) await accounts().deposit(opened[4].id, 10 + i);
      })(),
    ]);
    await first.until(() => first.ids.length >= 40);
    first.close();
    const lastSeen = first.lastId!;
    await sleep(50);
    const second = await open(`/events/live?category=account&after=${start}`, AUDITOR, lastSeen);
    await writing;

    const logged = await logAfter(
      await checkpointOf(start),
      (e) => e.streamId.startsWith('account-'),
      (events) => events.filter((e) => mine.has(e.streamId)).length >= 4 * 30 + 40,
    );
    const ours = logged.filter((e) => mine.has(e.streamId));
    expect(ours).toHaveLength(4 * 30 + 40);
    // The horizon was exercised: the log's order is not the positions' order.
    expect(ours.some((e, i) => i > 0 && e.globalPosition < ours[i - 1].globalPosition)).toBe(true);
    await second.until(() => second.lastId === String(logged.at(-1)!.globalPosition), 20_000);
    expect([...first.ids, ...second.ids]).toEqual(logged.map((e) => e.globalPosition));
  });

  it('catches a subscriber up from far back with its own reads, then joins the live feed without a gap or a repeat', async () => {
    const [account] = [await accounts().open()];
    const registry = app.running.app.get(EventTypeRegistry);
    const store = new PostgresEventStore(pool, registry);
    const before = await checkpointOf(account.position);
    for (let i = 0; i < 25; i++)
      await store.append(
        `account-${account.id}`,
        Array.from({ length: 100 }, (_, n) => ({
          type: 'MoneyDeposited',
          data: {
            accountId: account.id,
            amount: 1,
            description: `bulk ${i}.${n}`,
            source: 'other',
          },
        })),
      );
    // Someone already follows from now, so the feed runs ahead while the newcomer catches up.
    const now = await open('/events/live?category=account');
    const writing = racingWriters([account.id], 40);
    const newcomer = await open(
      `/events/live?stream=account-${account.id}&after=${account.position}`,
    );
    await writing;
    const logged = await logAfter(
      before,
      (e) => e.streamId === `account-${account.id}`,
      (events) => events.length >= 2500 + 40,
    );
    expect(logged).toHaveLength(2500 + 40);
    await newcomer.until(() => newcomer.ids.length >= logged.length, 20_000);
    await sleep(200);
    expect(newcomer.ids).toEqual(logged.map((e) => e.globalPosition));
    expect(now.ids.filter((id) => id > logged[2499].globalPosition).length).toBeGreaterThan(0);
  });

  it('starts from now without after, and from the start of the log with after=0', async () => {
    const account = await accounts().open();
    const fromNow = await open(`/accounts/${account.id}/live`, TELLER);
    const deposit = await accounts().deposit(account.id, 7);
    await fromNow.until(() => fromNow.ids.includes(deposit.position));
    // "Now" is the end of the log as the read horizon shows it: the opening may just make it in, nothing older.
    expect(fromNow.ids.filter((id) => id !== account.position)).toEqual([deposit.position]);

    const fromStart = await open('/events/live?after=0');
    const [firstEvent] = await app.store.readAll({ limit: 1 });
    await fromStart.until(() => fromStart.events.length > 0);
    expect(fromStart.ids[0]).toBe(firstEvent.globalPosition);
  });

  it('lets a customer follow only their own accounts, without the metadata staff see', async () => {
    const owner = randomUUID();
    const stranger = randomUUID();
    const account = await accounts().open({}, customerToken(owner));
    const own = await open(`/accounts/${account.id}/live`, customerToken(owner));
    const staff = await open(`/accounts/${account.id}/live`, TELLER);
    const deposit = await accounts().deposit(account.id, 5);
    const message = async (client: LiveClient) => {
      await client.until(() => client.ids.includes(deposit.position));
      return JSON.parse(client.events.find((m) => m.id === String(deposit.position))!.data!);
    };
    const [stored] = (await accounts().events(account.id)).filter(
      (e) => e.position === deposit.position,
    );
    const { metadata, ...withoutMetadata } = stored;
    expect(await message(own)).toEqual(withoutMetadata);
    expect(await message(staff)).toEqual({ ...withoutMetadata, metadata });
    expect(metadata).toHaveProperty('actor');

    const refused = await open(`/accounts/${account.id}/live`, customerToken(stranger));
    const read = await request(app.running.app.getHttpServer(), customerToken(stranger)).get(
      `/accounts/${account.id}`,
    );
    expect(refused.status).toBe(404);
    expect({ ...refused.problem, instance: undefined }).toEqual({
      ...(read.body as object),
      instance: undefined,
    });
    const missing = await open(`/accounts/${randomUUID()}/live`, TELLER);
    expect(missing.problem.type).toBe('/problems/account-not-found');
    expect((await open('/events/live', customerToken(owner))).status).toBe(403);
    expect((await open('/events/live', TELLER)).status).toBe(403);
    expect((await open('/events/live', tokenFor(randomUUID(), ['admin']))).status).toBe(403);
  });

  it('answers a hostile start or filter with a 400 problem, never a stream', async () => {
    const head = await app.store.headPosition();
    const cases: Array<[string, string | undefined, string]> = [
      ['/events/live?after=-1', undefined, 'validation-failed'],
      ['/events/live?after=1.5', undefined, 'validation-failed'],
      ['/events/live?after=abc', undefined, 'validation-failed'],
      ['/events/live?after=99999999999999999999', undefined, 'validation-failed'],
      ['/events/live?after=9007199254740993', undefined, 'validation-failed'],
      ['/events/live?after=%00', undefined, 'validation-failed'],
      ['/events/live?after=1&after=2', undefined, 'validation-failed'],
      [`/events/live?after=${head + 1_000_000}`, undefined, 'unknown-position'],
      ['/events/live', 'garbage', 'validation-failed'],
      ['/events/live', '-5', 'validation-failed'],
      ['/events/live', `${head + 1_000_000}`, 'unknown-position'],
      [`/events/live?after=${head}`, '1', 'validation-failed'],
      ['/events/live?types=NoSuchEvent', undefined, 'validation-failed'],
      ['/events/live?types=MoneyDeposited,%00', undefined, 'validation-failed'],
      ['/events/live?category=Account', undefined, 'validation-failed'],
      ['/events/live?stream=not%20a%20stream', undefined, 'validation-failed'],
      ['/events/live?unknown=1', undefined, 'validation-failed'],
      [`/accounts/${randomUUID()}/live?after=x`, undefined, 'validation-failed'],
      ['/accounts/not-a-uuid/live', undefined, 'validation-failed'],
    ];
    for (const [path, lastEventId, type] of cases) {
      const client = await open(path, AUDITOR, lastEventId);
      expect({ path, lastEventId, status: client.status, type: client.problem.type }).toEqual({
        path,
        lastEventId,
        status: 400,
        type: `/problems/${type}`,
      });
    }
    // EventSource resends its URL's after with the last id it received: the later header wins.
    const account = await accounts().open();
    const deposit = await accounts().deposit(account.id, 3);
    const resumed = await open(
      `/accounts/${account.id}/live?after=${account.position}`,
      TELLER,
      String(deposit.position),
    );
    expect(resumed.status).toBe(200);
    const next = await accounts().deposit(account.id, 4);
    await resumed.until(() => resumed.events.length > 0);
    expect(resumed.ids).toEqual([next.position]);
  });

  describe('with small limits', () => {
    let small: Served;
    beforeAll(async () => {
      small = await serve({
        heartbeatMs: 200,
        bufferEvents: 5,
        bufferBytes: 64 * 1024,
        maxPerPrincipal: 2,
        maxConnections: 4,
      });
    });
    afterAll(() => small.close());
    const openSmall = async (path: string, token: string, lastEventId?: string) => {
      const client = await LiveClient.open(small.baseUrl, path, { token, lastEventId });
      clients.push(client);
      return client;
    };

    it('sends heartbeats while nothing commits', async () => {
      const client = await openSmall('/events/live?types=CartCheckedOut', AUDITOR);
      await client.until(
        () => client.messages.filter((m) => m.comment === 'heartbeat').length >= 2,
        3000,
      );
      client.close();
    });

    it('ends a stream when its token expires, telling the client why', async () => {
      // Expired two seconds from now: exp is in the past, the clock skew (30 s) still accepts it that long.
      const expiring = tokenFor(randomUUID(), ['auditor'], { expiresIn: -28 });
      const client = await openSmall('/events/live?types=CartCheckedOut', expiring);
      await client.until(() => client.ended, 8_000);
      const last = client.messages.at(-1);
      expect(last?.event).toBe('token-expired');
      expect(JSON.parse(last!.data!)).toMatchObject({ type: '/problems/token-expired' });
    });

    it('tells a client that falls behind why, closes it, and lets it resume with its last id', async () => {
      const account = await accounts().open();
      const slow = await openSmall(
        `/events/live?stream=account-${account.id}&after=${account.position}`,
        AUDITOR,
      );
      slow.pause();
      const store = new PostgresEventStore(pool, small.running.app.get(EventTypeRegistry));
      const description = 'x'.repeat(20_000);
      // One append per read of the feed (PROJECTION_POLL_MS is 200 here): the client falls behind page by page.
      for (let i = 0; i < 10; i++) {
        await store.append(
          `account-${account.id}`,
          Array.from({ length: 100 }, () => ({
            type: 'MoneyDeposited',
            data: { accountId: account.id, amount: 1, description, source: 'other' },
          })),
        );
        await sleep(250);
      }
      const logged = await logAfter(
        await checkpointOf(account.position),
        (e) => e.streamId.endsWith(account.id),
        (events) => events.length >= 1000,
      );
      expect(logged).toHaveLength(1000);
      await sleep(1500);
      slow.resume();
      await slow.until(() => slow.ended, 20_000);
      const overflow = slow.messages.at(-1)!;
      expect(overflow.event).toBe('overflow');
      expect(overflow.id).toBeUndefined();
      const said = JSON.parse(overflow.data!) as { type: string; lastEventId: string };
      expect(said.type).toBe('/problems/live-overflow');
      expect(said.lastEventId).toBe(slow.lastId);
      expect(slow.ids.length).toBeLessThan(1000);
      expect(slow.ids).toEqual(logged.slice(0, slow.ids.length).map((e) => e.globalPosition));

      const again = await openSmall(
        `/events/live?stream=account-${account.id}`,
        AUDITOR,
        slow.lastId,
      );
      await again.until(() => again.ids.length === 1000 - slow.ids.length, 20_000);
      expect([...slow.ids, ...again.ids]).toEqual(logged.map((e) => e.globalPosition));
      again.close();
    });

    it('caps the subscriptions of a principal (429) and of the instance (503)', async () => {
      const feed = small.running.app.get(LiveFeed);
      await eventually(async () => expect(feed.subscribers).toBe(0));
      const [p, q, r] = ['cap-p', 'cap-q', 'cap-r'].map((sub) => tokenFor(sub, ['auditor']));
      const held = [await openSmall('/events/live', p), await openSmall('/events/live', p)];
      expect(held.map((c) => c.status)).toEqual([200, 200]);
      const third = await openSmall('/events/live', p);
      expect(third.status).toBe(429);
      expect(third.problem.type).toBe('/problems/too-many-subscriptions');
      expect(third.headers['retry-after']).toBe('5');
      held.push(await openSmall('/events/live', q), await openSmall('/events/live', q));
      const over = await openSmall('/events/live', r);
      expect(over.status).toBe(503);
      expect(over.problem.type).toBe('/problems/live-capacity-reached');
      expect(over.headers['retry-after']).toBe('5');

      held[0].close();
      const deadline = Date.now() + 5000;
      let reopened = await openSmall('/events/live', p);
      while (reopened.status !== 200 && Date.now() < deadline) {
        await sleep(50);
        reopened = await openSmall('/events/live', p);
      }
      expect(reopened.status).toBe(200);
      for (const client of [...held, reopened]) client.close();
    });
  });

  it('ends every stream when the app shuts down, without holding the close', async () => {
    const closing = await serve();
    const streams = await Promise.all(
      [1, 2, 3].map(() => LiveClient.open(closing.baseUrl, '/events/live', { token: AUDITOR })),
    );
    const began = Date.now();
    await closing.close();
    expect(Date.now() - began).toBeLessThan(5000);
    await Promise.all(streams.map((s) => s.until(() => s.ended, 2000)));
  });
});
