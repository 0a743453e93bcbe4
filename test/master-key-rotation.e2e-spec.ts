import { spawn } from 'node:child_process';
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import type { AppConfig } from '../src/config/config.js';
import {
  KeyRing,
  MasterKeys,
  masterKeyId,
  PersonalDataKeys,
  PostgresEventStore,
} from '../src/event-store/index.js';
import { accountsApi } from './support/accounts-api.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { startTestApp } from './support/test-app.js';

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const [OLD_ID, NEW_ID] = [OLD, NEW].map((raw) => masterKeyId(createSecretKey(raw)));
const ERASED = '[erased]';
/** Keys with no events, so that the rotation has enough batches to be killed in the middle of. */
const BARE_KEYS = 6_000;

const masterKey = (current: Buffer, previous: Buffer[] = []): AppConfig['masterKey'] => ({
  key: createSecretKey(current),
  development: false,
  previous: previous.map((raw) => createSecretKey(raw)),
});

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe('master-key rotation (npm run keys -- rotate) while the service takes writes', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const start = async (key: AppConfig['masterKey']) => {
    await running?.close();
    running = await startTestApp({ databaseUrl: scratch.url, masterKey: key });
    const server = running.app.getHttpServer();
    return { accounts: accountsApi(server), carts: cartsApi(server) };
  };

  /** The CLI as an operator runs it, in a process of its own; `onLine` may kill it. */
  const keysCli = (
    args: string[],
    previous: Buffer[],
    onLine: (line: string, kill: () => void) => void = () => {},
  ) =>
    new Promise<CliRun>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', './test/support/ts-register.mjs', 'src/cli/keys.ts', ...args],
        {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            DATABASE_URL: scratch.url,
            CHRONICLE_MASTER_KEY: NEW.toString('base64'),
            CHRONICLE_PREVIOUS_MASTER_KEYS: previous.map((raw) => raw.toString('hex')).join(','),
          },
        },
      );
      const run: CliRun = { code: null, signal: null, stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => {
        run.stdout += chunk.toString();
        for (const line of chunk.toString().split('\n')) onLine(line, () => child.kill('SIGKILL'));
      });
      child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ ...run, code, signal }));
    });

  const keysBy = async () =>
    Object.fromEntries(
      (
        await scratch.pool.query<{ id: string; n: string }>(
          `SELECT coalesce(master_key_id, CASE WHEN wrapped_key IS NULL THEN 'erased' ELSE 'legacy' END) AS id,
                  count(*) AS n
           FROM personal_data_keys GROUP BY 1`,
        )
      ).rows.map((row) => [row.id, Number(row.n)]),
    );

  it('re-wraps every key under the new master key, survives kill -9, keeps erasures and Idempotency-Key replays', async () => {
    // Before: everything under the old master key.
    let api = await start(masterKey(OLD));
    const owners = new Map<string, string>();
    const addresses = new Map<string, { customerId: string; name: string }>();
    const openAccount = async () => {
      const name = `Owner ${randomUUID()}`;
      const { id, position } = await api.accounts.open({ ownerName: name, initialDeposit: 1000 });
      owners.set(id, name);
      return { id, position, name };
    };
    const shipCart = async () => {
      const customerId = randomUUID();
      const { id } = await api.carts.create(customerId);
      const name = `Recipient ${randomUUID()}`;
      const { position } = await api.carts.ship(id, { name });
      addresses.set(id, { customerId, name });
      return { id, position, name };
    };
    for (let i = 0; i < 10; i++) await Promise.all([openAccount(), shipCart()]);
    const [erasedAccount] = owners.keys();
    const [erasedCart] = addresses.keys();
    const deposit = (key: string, amount: number) =>
      api.accounts
        .http()
        .post(`/accounts/${erasedAccount}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount });
    const beforeRotation = await deposit('rotation-before', 100).expect(201);
    const bare = new PersonalDataKeys(scratch.pool, new MasterKeys(createSecretKey(OLD)));
    for (let i = 0; i < BARE_KEYS; i += 3_000)
      await bare.obtain(
        Array.from({ length: 3_000 }, () => `bare-${randomUUID()}`),
        new KeyRing(),
      );
    expect(await keysBy()).toEqual({ [OLD_ID]: BARE_KEYS + 20 });

    // A wrong previous key: refused with one line, nothing written.
    const wrong = await keysCli(['rotate'], [randomBytes(32)]);
    expect(wrong).toMatchObject({ code: 1, stdout: '' });
    expect(wrong.stderr).toMatch(
      new RegExp(
        `^keys: Personal-data keys in this database are wrapped under master key ${OLD_ID}, [^\\n]*\\n$`,
      ),
    );
    expect(await keysBy()).toEqual({ [OLD_ID]: BARE_KEYS + 20 });

    // The operator's order: the app gets the new key, with the old one as previous; then the rotation runs.
    api = await start(masterKey(NEW, [OLD]));
    const replay = await deposit('rotation-before', 100).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(beforeRotation.body);
    const duringRotation = await deposit('rotation-during', 200).expect(201);

    let stop = false;
    const failures: unknown[] = [];
    let writes = 0;
    const load = Array.from({ length: 4 }, async (_, worker) => {
      while (!stop) {
        try {
          if (worker % 2 === 0) {
            const { id, position, name } = await openAccount();
            expect((await api.accounts.account(id, position)).ownerName).toBe(name);
          } else {
            const { id, position, name } = await shipCart();
            expect(await api.carts.cart(id, position)).toMatchObject({ shipping: { name } });
          }
          writes++;
        } catch (error) {
          failures.push(error);
        }
      }
    });

    let killedAt = '';
    const killed = await keysCli(['rotate', '--batch-size', '20'], [OLD], (line, kill) => {
      if (!killedAt && line.startsWith('re-wrapped ')) {
        killedAt = line;
        kill();
      }
    });
    expect(killed.signal).toBe('SIGKILL');
    const halfway = await keysBy();
    expect(halfway[OLD_ID]).toBeGreaterThan(0);
    expect(halfway[NEW_ID]).toBeGreaterThan(20);

    await api.accounts.http().delete(`/accounts/${erasedAccount}/personal-data`).expect(200);
    await api.carts.eraseCustomer(addresses.get(erasedCart)!.customerId);
    const resumed = await keysCli(['rotate', '--batch-size', '20'], [OLD]);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(resumed.stdout).toMatch(
      new RegExp(
        `^Re-wrapped [\\d,]+ keys in [\\d.]+ s: all [\\d,]+ live keys are under master key ${NEW_ID}`,
        'm',
      ),
    );
    const again = await keysCli(['rotate'], [OLD]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/^Re-wrapped 0 keys in /m);

    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(4);
    const after = await keysBy();
    expect(after).toEqual({ [NEW_ID]: expect.any(Number), erased: 2 });
    expect(after[NEW_ID]).toBe(BARE_KEYS + owners.size + addresses.size - 2);
    const status = await keysCli(['status'], [OLD]);
    expect(status.stdout).toContain(NEW_ID);
    expect(status.stdout).toContain('current');

    for (const [key, first] of [
      ['rotation-before', beforeRotation],
      ['rotation-during', duringRotation],
    ] as const) {
      const retried = await deposit(key, key === 'rotation-before' ? 100 : 200).expect(201);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toEqual(first.body);
    }

    // Afterwards the old key is not needed to read anything: read models, events, erasures.
    api = await start(masterKey(NEW));
    for (const [id, name] of owners) {
      const account = await api.accounts.http().get(`/accounts/${id}`).expect(200);
      expect(account.body.ownerName).toBe(id === erasedAccount ? ERASED : name);
      expect((await api.accounts.events(id))[0].data.ownerName).toBe(
        id === erasedAccount ? ERASED : name,
      );
    }
    for (const [id, { name }] of addresses) {
      const cart = await api.carts.http().get(`/carts/${id}`).expect(200);
      expect(cart.body.shipping).toEqual({
        ...ADDRESS,
        ...(id === erasedCart
          ? { name: ERASED, street: ERASED, city: ERASED, postalCode: ERASED }
          : { name }),
      });
    }
    const store = running!.app.get(PostgresEventStore);
    const events = await store.readAll({ limit: 100_000 });
    await expect(store.decryptPersonalData(events)).resolves.toHaveLength(events.length);
  }, 180_000);
});
