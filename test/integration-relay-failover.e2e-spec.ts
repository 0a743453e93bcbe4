// Two app processes (dist/main.js) on one database and one JetStream stream: the relay's lease holder is SIGKILLed
// under a deposit load and the other process takes the relay over. See docs/architecture.md#projections (leases).
import { type AppProcess, ready, startAppProcess } from './support/app-process.js';
import { builtDist } from './support/built-dist.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import request from './support/http.js';
import {
  type Broker,
  brokerOn,
  deleteStream,
  NATS_URL,
  natsOrSkip,
  relayConfig,
} from './support/nats.js';
import { expectExactlyOnceInCommitOrder } from './support/relay-log.js';

const RELAY = 'integration-relay';
/** How often a standby tries the lease (PROJECTION_LEASE_RETRY_MS below). */
const LEASE_RETRY_MS = 100;
/**
 * PostgreSQL frees the advisory lock as soon as the killed process's socket closes (at once on loopback), and the
 * standby tries every LEASE_RETRY_MS: 50 tries leave room for a busy two-core machine, yet a broken takeover fails.
 */
const TAKEOVER_BOUND_MS = 50 * LEASE_RETRY_MS;
/** Short, so what keeps the stream free of duplicates is the relay's high-water mark, not the window alone. */
const DUPLICATE_WINDOW_MS = 1_000;

const nats = await natsOrSkip('test/integration-relay-failover.e2e-spec.ts');

type Instance = AppProcess;

const startInstance = (name: string, databaseUrl: string, relay: Record<string, string>) =>
  startAppProcess(name, databaseUrl, {
    PROJECTION_LEASE_RETRY_MS: String(LEASE_RETRY_MS),
    ...relay,
  });

interface Status {
  name: string;
  status: string;
  owner: { instance: string; pid: number } | null;
}

async function relayStatus(asked: Instance): Promise<Status | undefined> {
  const res = await request(asked.url).get('/admin/projections');
  if (res.status !== 200) throw new Error(`GET /admin/projections: ${res.status} ${res.text}`);
  return (res.body.projections as Status[]).find((p) => p.name === RELAY);
}

/** The instance holding the relay's lease: `owner.instance` is `chronicle <host>:<node pid>`. */
async function relayHolder(asked: Instance, among: Instance[]): Promise<Instance | undefined> {
  const owner = (await relayStatus(asked))?.owner;
  const pid = owner && Number(owner.instance.split(':').pop());
  return among.find((instance) => instance.child.pid === pid);
}

async function relayCheckpoint(scratch: ScratchDatabase): Promise<number> {
  const { rows } = await scratch.pool.query(
    'SELECT global_position FROM projection_checkpoints WHERE name = $1',
    [RELAY],
  );
  return rows.length ? Number(rows[0].global_position) : 0;
}

/** Events of the log after the relay's checkpoint, in commit order (transaction id, then position). */
async function relayLag(scratch: ScratchDatabase): Promise<number> {
  const { rows } = await scratch.pool.query(
    `SELECT (SELECT count(*) FROM events e
       WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position))::int AS lag
     FROM projection_checkpoints c WHERE c.name = $1`,
    [RELAY],
  );
  return rows.length ? rows[0].lag : -1;
}

(nats ? describe : describe.skip)('the relay fails over between two processes', () => {
  let broker: Broker;
  let scratch: ScratchDatabase;
  const { stream, subjectPrefix } = relayConfig();
  const instances: Instance[] = [];

  beforeAll(async () => {
    await builtDist('main.js');
    broker = await brokerOn(nats!);
    scratch = await scratchDatabase();
  }, 300_000);

  afterAll(async () => {
    for (const { child, exited } of instances) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    if (broker) await deleteStream(broker.jsm, stream);
    await nats?.close();
    await scratch?.drop();
  });

  it('the survivor takes the relay over from the SIGKILLed holder within the lease bound; the stream holds every integration event once, in commit order', async () => {
    const relay = {
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: subjectPrefix,
      NATS_DUPLICATE_WINDOW_MS: String(DUPLICATE_WINDOW_MS),
      NATS_PUBLISH_TIMEOUT_MS: '2000',
    };
    instances.push(
      await startInstance('first', scratch.url, relay),
      await startInstance('second', scratch.url, relay),
    );
    await Promise.all(instances.map(ready));
    let holder: Instance | undefined;
    await eventually(async () => {
      holder = await relayHolder(instances[0], instances);
      expect(holder).toBeDefined();
    }, 10_000);
    const survivor = instances.find((i) => i !== holder)!;

    const accounts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(survivor.url)
        .post('/accounts')
        .send({ ownerName: `Relay failover ${i}`, currency: 'EUR', initialDeposit: 100 });
      expect(res.status).toBe(201);
      accounts.push(res.body.id as string);
    }

    // Deposits to both processes until the kill, then to the survivor; a request the kill cuts off has no outcome.
    let killed = false;
    let stop = false;
    let survivorAnswers = 0;
    const survivorFailures: string[] = [];
    const client = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const target = killed ? survivor : instances[(n + i) % 2];
        const res = await request(target.url)
          .post(`/accounts/${accounts[(n + i) % accounts.length]}/deposits`)
          .send({ amount: 1 + ((n * 31 + i * 17) % 500) })
          .then(
            (r) => ({ status: r.status, text: r.text }),
            (error: Error) => ({ status: 0, text: error.message }),
          );
        if (target !== survivor) continue;
        survivorAnswers += 1;
        if (res.status < 200 || res.status > 299)
          survivorFailures.push(`${res.status} ${res.text}`);
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    try {
      // Mid-stream: the holder has published part of the load and more keeps committing.
      await eventually(
        async () => expect(await relayCheckpoint(scratch)).toBeGreaterThan(0),
        15_000,
      );
      await eventually(async () => expect(survivorAnswers).toBeGreaterThanOrEqual(40), 15_000);
      const checkpointAtKill = await relayCheckpoint(scratch);
      holder!.child.kill('SIGKILL');
      killed = true;
      const killedAt = Date.now();
      await holder!.exited;

      // The survivor holds the lease and publishes: the checkpoint moves past where the holder left it.
      await eventually(async () => {
        expect((await relayHolder(survivor, instances))?.name).toBe(survivor.name);
        expect(await relayCheckpoint(scratch)).toBeGreaterThan(checkpointAtKill);
      }, TAKEOVER_BOUND_MS + 5_000);
      expect(Date.now() - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);

      const answeredAtTakeover = survivorAnswers;
      await eventually(
        async () => expect(survivorAnswers).toBeGreaterThanOrEqual(answeredAtTakeover + 60),
        20_000,
      );
    } finally {
      stop = true;
      await Promise.allSettled(clients);
    }
    expect(survivorFailures).toEqual([]);

    // The survivor relays up to the log's head.
    await eventually(async () => expect(await relayLag(scratch)).toBe(0), 20_000);
    const status = await relayStatus(survivor);
    expect(status).toMatchObject({ status: 'live' });
    expect((await relayHolder(survivor, instances))?.name).toBe(survivor.name);

    expect(await expectExactlyOnceInCommitOrder(scratch.pool, broker, stream)).toBeGreaterThan(100);
  }, 120_000);
});
