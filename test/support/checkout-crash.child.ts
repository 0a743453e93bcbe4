// The application in a child process that kills itself (SIGKILL: no shutdown hook, no rollback by us) at a named
// point of the checkout; see test/checkout-crash.e2e-spec.ts. Run with --import ./test/support/ts-register.mjs.
import 'reflect-metadata';
import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { WithdrawMoneyCommand } from '../../src/accounts/index.js';
import { createApp } from '../../src/app.factory.js';
import type { PersistedEvent } from '../../src/event-store/index.js';
import { CheckoutSagaReactor } from '../../src/orders/checkout/checkout-saga.reactor.js';
import { PlaceOrderReactor } from '../../src/orders/place-order/place-order.reactor.js';
import { testConfig } from './test-app.js';

export const CRASH_POINTS = [
  'before-placement',
  'before-withdrawal',
  'after-withdrawal',
  'before-payment-recorded',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const crashAt = process.env.CRASH_AT as CrashPoint;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

async function main() {
  const { app } = await createApp(testConfig());

  // The saga sends the withdrawal through the CommandBus: die just before it, or just after it committed.
  const bus = app.get(CommandBus);
  const execute = bus.execute.bind(bus);
  bus.execute = (async (command: ICommand) => {
    const withdrawal = command instanceof WithdrawMoneyCommand;
    if (withdrawal && crashAt === 'before-withdrawal') die();
    try {
      return await execute(command);
    } finally {
      if (withdrawal && crashAt === 'after-withdrawal') die();
    }
  }) as typeof bus.execute;

  // The cart's checkout is committed, the order not placed yet.
  const placement = app.get(PlaceOrderReactor);
  const place = placement.react.bind(placement);
  placement.react = async (events: readonly PersistedEvent[]) => {
    if (crashAt === 'before-placement') die();
    return place(events);
  };

  // The withdrawal is committed and reaches the saga, which has not marked the order paid yet.
  const saga = app.get(CheckoutSagaReactor);
  const react = saga.react.bind(saga);
  saga.react = async (events: readonly PersistedEvent[]) => {
    const answer = events.some(
      (e) => e.type === 'MoneyWithdrawn' && e.metadata.actor === 'checkout-saga',
    );
    if (answer && crashAt === 'before-payment-recorded') die();
    return react(events);
  };

  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.send!({ port });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `crash child failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
