import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunningApp } from '../src/app.factory.js';
import { orderIdOf } from '../src/carts/index.js';
import { accountsApi } from './support/accounts-api.js';
import { cartsApi } from './support/carts-api.js';
import type { CrashPoint } from './support/checkout-crash.child.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { ordersApi, streamOf } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

const CHILD = fileURLToPath(new URL('./support/checkout-crash.child.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('./support/ts-register.mjs', import.meta.url));

interface Child {
  process: ChildProcess;
  port: number;
  /** Resolves with the signal that ended it. */
  exited: Promise<NodeJS.Signals | null>;
  output: () => string;
}

/** The app in a child process that SIGKILLs itself at `point` (see checkout-crash.child.ts). */
async function startChild(point: CrashPoint, databaseUrl: string): Promise<Child> {
  let output = '';
  const child = fork(CHILD, [], {
    execArgv: ['--import', REGISTER],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      CHRONICLE_TEST_DATABASE_URL: databaseUrl,
      CRASH_AT: point,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const port = await Promise.race([
    new Promise<number>((resolve) =>
      child.once('message', (m) => resolve((m as { port: number }).port)),
    ),
    exited.then(() => Promise.reject(new Error(`the child exited before listening:\n${output}`))),
  ]);
  return { process: child, port, exited, output: () => output };
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What the store holds when the process dies at each point: the proof it died where it should. */
const AT_THE_CRASH: Record<
  CrashPoint,
  { order: string[]; withdrawals: number; checkout: string[] }
> = {
  'before-placement': { order: [], withdrawals: 0, checkout: [] },
  'before-withdrawal': { order: ['OrderPlaced'], withdrawals: 0, checkout: [] },
  'after-withdrawal': { order: ['OrderPlaced'], withdrawals: 1, checkout: [] },
  'before-payment-recorded': {
    order: ['OrderPlaced'],
    withdrawals: 1,
    checkout: ['CheckoutStarted'],
  },
};

describe('the checkout survives the process being killed at any point', () => {
  let scratch: ScratchDatabase;
  let child: Child | undefined;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterEach(async () => {
    child?.process.kill('SIGKILL');
    child = undefined;
    await running?.close();
    running = undefined;
  });
  afterAll(() => scratch.drop());

  it.each(Object.keys(AT_THE_CRASH) as CrashPoint[])(
    'killed %s: after the restart the order is paid and awaits shipment, with exactly one withdrawal',
    async (point) => {
      child = await startChild(point, scratch.url);
      const remote = `http://127.0.0.1:${child.port}` as unknown as Parameters<
        typeof accountsApi
      >[0];
      const carts = cartsApi(remote);
      const cart = await carts.ready([{ productId: 'sku-1', quantity: 3, unitPrice: 700 }]);
      // Paid from an account of the cart's customer: the only one a checkout may pay from.
      const account = await accountsApi(remote).open(
        { initialDeposit: 10_000 },
        carts.tokenOf(cart.id),
      );
      const { orderId } = await carts.checkOut(cart.id, account.id);
      expect(orderId).toBe(orderIdOf(cart.id));

      const signal = await within(child.exited, 30_000, () => `not killed:\n${child!.output()}`);
      expect(signal).toBe('SIGKILL');
      const types = async (stream: string) =>
        (await streamOf(scratch.pool, stream)).map((e) => e.type);
      const withdrawals = async () =>
        (await types(`account-${account.id}`)).filter((type) => type === 'MoneyWithdrawn').length;
      expect({
        order: await types(`order-${orderId}`),
        withdrawals: await withdrawals(),
        checkout: await types(`checkout-${orderId}`),
      }).toEqual(AT_THE_CRASH[point]);

      running = await startTestApp({ databaseUrl: scratch.url });
      const orders = ordersApi(running.app.getHttpServer());
      const order = await orders.order(orderId, (o) => o.status === 'awaiting-shipment', 30_000);
      expect(order.payment).toMatchObject({ amount: 2_100 });
      expect(await withdrawals()).toBe(1);
      expect(await types(`order-${orderId}`)).toEqual(['OrderPlaced', 'PaymentProcessed']);
      expect(await types(`checkout-${orderId}`)).toEqual([
        'CheckoutStarted',
        'CheckoutPaymentReceived',
      ]);
      const balance = await accountsApi(running.app.getHttpServer())
        .http()
        .get(`/accounts/${account.id}`)
        .expect(200);
      expect(balance.body.balance).toBe(10_000 - 2_100);
    },
  );
});
