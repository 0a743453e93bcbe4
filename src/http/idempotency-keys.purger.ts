import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

const BATCH = 1000;

/**
 * Deletes Idempotency-Keys past their TTL, a batch per statement so no purge holds many row locks or one long
 * transaction. Several instances may purge at once: each skips the rows another holds.
 */
@Injectable()
export class IdempotencyKeysPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.idempotencyPurgeIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.purge()
        .then(() => undefined)
        .catch((error: unknown) =>
          this.logger.warn(
            `Purge of expired Idempotency-Keys failed; next try in ${every} ms: ${
              error instanceof Error ? error.message : String(error)
            }`,
          ),
        )
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes every expired key, a batch at a time; answers how many. */
  async purge(): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const [, deleted] = (await this.db.query(
        `DELETE FROM idempotency_keys WHERE key IN (
           SELECT key FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)
           ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [this.config.idempotencyTtlHours, BATCH],
      )) as [unknown, number];
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) this.logger.debug(`Purged ${total} expired Idempotency-Keys`);
    return total;
  }
}
