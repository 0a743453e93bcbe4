import { setTimeout as sleep } from 'node:timers/promises';
import {
  foldAccounts,
  foldDailyVolume,
  readAccountsModel,
  readDailyVolume,
  readLog,
} from './support/account-fold.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { type AppProcess, ready, startAppProcess } from './support/app-process.js';
import { builtDist } from './support/built-dist.js';
import request from './support/http.js';

const TAKEOVER_BOUND_MS = 10_000;

type Instance = AppProcess;
/** The built app in a process of its own, on the scratch database. */
const startInstance = (name: string, databaseUrl: string) => startAppProcess(name, databaseUrl);

async function post(instance: Instance, path: string, body: unknown) {
  const res = await request(instance.url)
    .post(path)
    .send(body as object);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

async function get(instance: Instance, path: string) {
  const res = await request(instance.url).get(path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return res.body as Record<string, unknown>;
}

interface Status {
  name: string;
  status: string;
  owner: { instance: string; pid: number } | null;
}

/** The instance holding a projection's lease: `owner.instance` is `chronicle <host>:<node pid>`. */
async function leaseHolder(asked: Instance, among: Instance[], projection: string) {
  const { projections } = (await get(asked, '/admin/projections')) as unknown as {
    projections: Status[];
  };
  const owner = projections.find((p) => p.name === projection)?.owner;
  const pid = owner && Number(owner.instance.split(':').pop());
  return among.find((instance) => instance.child.pid === pid);
}

describe('projections fail over between two processes', () => {
  let scratch: ScratchDatabase;
  const instances: Instance[] = [];

  beforeAll(async () => {
    await builtDist('main.js');
    scratch = await scratchDatabase(3);
  }, 300_000);

  afterAll(async () => {
    for (const { child, exited } of instances) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    await scratch?.drop();
  });

  it('the survivor takes over the SIGKILLed lease holder within seconds; nothing is lost or applied twice', async () => {
    instances.push(
      await startInstance('first', scratch.url),
      await startInstance('second', scratch.url),
    );
    await Promise.all(instances.map(ready));
    let holder: Instance | undefined;
    await eventually(async () => {
      holder = await leaseHolder(instances[0], instances, 'accounts');
      expect(holder).toBeDefined();
    }, 10_000);
    const survivor = instances.find((i) => i !== holder)!;

    const accounts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const opened = await post(instances[i % 2], '/accounts', {
        ownerName: `Failover ${i}`,
        currency: 'EUR',
        initialDeposit: 100,
      });
      expect(opened.status).toBe(201);
      accounts.push(opened.body.id as string);
    }

    // Deposits from four clients to either process; a request the kill cuts off has an unknown outcome.
    const acknowledged: number[] = [];
    let killed = false;
    let stop = false;
    const client = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const target = killed ? survivor : instances[(n + i) % 2];
        const id = accounts[(n * 7 + i) % accounts.length];
        const outcome = await post(target, `/accounts/${id}/deposits`, {
          amount: 1 + ((n * 31 + i * 17) % 500),
        }).catch(() => undefined);
        if (outcome?.status === 201) acknowledged.push(outcome.body.position as number);
        else if (outcome && !(target === holder && killed))
          throw new Error(`deposit answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
        else if (!outcome) await sleep(10);
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    try {
      await eventually(async () => expect(acknowledged.length).toBeGreaterThanOrEqual(60), 30_000);
      holder!.child.kill('SIGKILL');
      killed = true;
      const killedAt = Date.now();
      await holder!.exited;

      await eventually(
        async () =>
          expect((await leaseHolder(survivor, instances, 'accounts'))?.name).toBe(survivor.name),
        TAKEOVER_BOUND_MS + 5_000,
      );
      expect(Date.now() - killedAt).toBeLessThan(TAKEOVER_BOUND_MS);

      const beforeKill = acknowledged.length;
      await eventually(
        async () => expect(acknowledged.length).toBeGreaterThanOrEqual(beforeKill + 60),
        30_000,
      );
    } finally {
      stop = true;
      await Promise.allSettled(clients);
    }
    await Promise.all(clients);

    // Every transaction has ended (the killed process's ones were rolled back with its connections).
    await eventually(async () => {
      const { rows } = await scratch.pool.query(
        `SELECT c.name, (SELECT count(*) FROM events e
           WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position))::int AS lag
         FROM projection_checkpoints c WHERE c.name = ANY($1) ORDER BY c.name`,
        [['account-daily-volume', 'accounts']],
      );
      expect(rows).toEqual([
        { name: 'account-daily-volume', lag: 0 },
        { name: 'accounts', lag: 0 },
      ]);
    }, 20_000);

    const log = await readLog(scratch.pool);
    const folded = foldAccounts(log);
    expect(await readAccountsModel(scratch.pool)).toEqual(folded);
    expect(await readDailyVolume(scratch.pool)).toEqual(foldDailyVolume(log));
    const lines = new Set(folded.lines.map((line) => line.position));
    expect(acknowledged.filter((position) => !lines.has(position))).toEqual([]);

    // The same through the survivor's API: balances and one statement line per money event.
    for (const id of accounts) {
      const expected = folded.balances.find((b) => b.id === id)!;
      expect(await get(survivor, `/accounts/${id}`)).toMatchObject({
        balance: expected.balance,
        version: expected.version,
      });
      const statement = await get(survivor, `/accounts/${id}/transactions?limit=500`);
      expect((statement.items as Array<{ version: number }>).map((l) => l.version)).toEqual(
        folded.lines.filter((l) => l.accountId === id).map((l) => l.streamVersion),
      );
    }
  }, 180_000);
});
