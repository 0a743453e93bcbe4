import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ProjectionRunner } from '../../projections/index.js';
import { announceDeadline, pendingCommand } from '../domain/checkout.js';
import { CheckoutRepository } from '../order.repository.js';
import { checkoutCommandId } from './checkout-ids.js';
import { CHECKOUT_SAGA } from './checkout-saga.reactor.js';
import { CheckoutCommands } from './checkout-commands.js';
import { isDatabaseUnavailable } from '../../database/database-errors.js';

const BATCH = 100;

/**
 * The sagas' clock, in the instance holding the saga's lease: past a payment's deadline it appends
 * CheckoutDeadlineReached once (derived event id); before it, it resends the request, which the command id makes
 * harmless. See docs/architecture.md#orders-and-the-checkout-saga.
 */
@Injectable()
export class CheckoutTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CheckoutTimer');
  private readonly tickMs: number;
  private readonly resendMs: number;
  private readonly lastSent = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly checkouts: CheckoutRepository,
    private readonly commands: CheckoutCommands,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const timeout = config.checkout.paymentTimeoutMs;
    this.tickMs = Math.min(1_000, Math.max(50, Math.round(timeout / 10)));
    this.resendMs = Math.min(10_000, Math.max(500, Math.round(timeout / 3)));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  private tick(): void {
    if (this.stopped || this.ticking) return;
    if (this.runner.localCheckpoint(CHECKOUT_SAGA) === undefined) return;
    this.ticking = this.run()
      .catch((error: unknown) => {
        // An outage is logged once, by DatabaseHealth; the next tick tries again.
        if (isDatabaseUnavailable(error)) this.logger.debug(`Checkout timer: ${String(error)}`);
        else this.logger.warn(`Checkout timer: ${String(error)}`);
      })
      .finally(() => (this.ticking = undefined));
  }

  private async run(): Promise<void> {
    const now = new Date();
    // One row per order over the entity's table (GROUP BY, bool_or): plainer as SQL than through the query builder.
    const rows: Array<{ order_id: string; due: boolean }> = await this.db.query(
      `SELECT order_id, bool_or(kind = 'payment' AND due_at <= $1) AS due FROM checkout_pending
       WHERE (kind = 'payment' AND due_at <= $1) OR requested_at <= $2
       GROUP BY order_id ORDER BY min(requested_at) LIMIT ${BATCH}`,
      [now, new Date(now.getTime() - this.resendMs)],
    );
    for (const { order_id: orderId, due } of rows) {
      if (this.stopped) return;
      if (due) await this.announce(orderId, now);
      else await this.resend(orderId, now.getTime());
    }
    if (rows.length < BATCH) {
      const waiting = new Set(rows.map((r) => r.order_id));
      for (const orderId of this.lastSent.keys())
        if (!waiting.has(orderId)) this.lastSent.delete(orderId);
    }
  }

  private async announce(orderId: string, now: Date): Promise<void> {
    await this.checkouts.update(orderId, (state) => announceDeadline(state, now), {
      metadata: {
        commandId: checkoutCommandId(orderId, 'deadline'),
        correlationId: await this.checkouts.correlationOf(orderId),
        actor: 'checkout-timer',
      },
    });
  }

  private async resend(orderId: string, now: number): Promise<void> {
    if (now - (this.lastSent.get(orderId) ?? 0) < this.resendMs) return;
    this.lastSent.set(orderId, now);
    const command = pendingCommand((await this.checkouts.load(orderId)).state, checkoutCommandId);
    if (!command) return;
    const correlationId = await this.checkouts.correlationOf(orderId);
    await this.commands.send(command, { orderId, correlationId });
  }
}
