import {
  connect,
  type Consumer as PullConsumer,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import pg from 'pg';
import type { LedgerConfig } from './config.js';
import { parseMessage, PoisonMessage, type LedgerMessage } from './contract.js';
import { ensureDurableConsumer, isNotFound } from './durable-consumer.js';
import { apply, createSchema, deadLetter } from './ledger.js';
import { errorText, type Log } from './log.js';
import { headersOf, watchMaxDeliveries } from './max-deliveries.js';

export type { Log } from './log.js';

export interface LedgerConsumer {
  /** Stops pulling, finishes the message in hand (its transaction and its ack), then closes. */
  stop(): Promise<void>;
  /** Resolves once stopped; rejects when the connection to NATS is lost for good. */
  closed: Promise<void>;
}

class Stopping extends Error {}

/** How long a pull waits for its batch to fill: also the longest a stop waits for the pull in flight. */
const FETCH_EXPIRES_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database error that the same statement will meet again, however often it is retried. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export async function startLedgerConsumer(config: LedgerConfig, log: Log): Promise<LedgerConsumer> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  pool.on('error', (error) => log('warn', 'database connection lost', { error: error.message }));
  let nc: NatsConnection | undefined;
  try {
    await createSchema(pool);
    nc = await connect({
      servers: config.natsUrl.split(',').map((server) => server.trim()),
      name: `ledger-consumer ${config.durable}`,
      maxReconnectAttempts: -1,
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const consumer = new Consumer(config, log, pool, nc);
  const closed = consumer.run();
  return { stop: () => consumer.stop(closed), closed };
}

class Consumer {
  private stopping = false;
  private readonly held: JsMsg[] = [];
  private wake: () => void = () => undefined;
  private applied = 0;
  private duplicates = 0;

  constructor(
    private readonly config: LedgerConfig,
    private readonly log: Log,
    private readonly pool: pg.Pool,
    private readonly nc: NatsConnection,
  ) {}

  async run(): Promise<void> {
    const lost = this.nc.closed().then((error) => {
      if (!this.stopping) throw error ?? new Error('the connection to NATS closed');
    });
    const progress = setInterval(() => this.reportProgress(), 5_000);
    try {
      await Promise.race([this.consume(), lost]);
    } finally {
      clearInterval(progress);
      this.reportProgress();
    }
  }

  async stop(closed: Promise<void>): Promise<void> {
    this.stopping = true;
    this.wake();
    await closed.catch(() => undefined);
    if (!this.nc.isClosed()) await this.nc.drain();
    await this.pool.end();
    this.log('info', 'stopped');
  }

  private async consume(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    if (!(await this.streamExists(jsm))) return;
    await ensureDurableConsumer(jsm, this.config, this.log);
    watchMaxDeliveries({ nc: this.nc, jsm, pool: this.pool, config: this.config, log: this.log });
    const consumer = await this.nc
      .jetstream()
      .consumers.get(this.config.stream, this.config.durable);
    this.log('info', 'consuming', {
      stream: this.config.stream,
      consumer: this.config.durable,
      filter: this.config.filterSubject,
    });
    const keepAlive = setInterval(
      () => this.held.forEach((message) => message.working()),
      this.config.ackWaitMs / 3,
    );
    try {
      await Promise.all([this.read(jsm, consumer), this.work()]);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Pulls batches into `held`. A batch ends full or after FETCH_EXPIRES_MS; once stopping, no batch is asked for and
   * what the one in flight still brings goes straight back (nak), so a stop leaves nothing to wait out its ack wait.
   */
  private async read(jsm: JetStreamManager, consumer: PullConsumer): Promise<void> {
    while (!this.stopping) {
      try {
        const batch = await consumer.fetch({
          max_messages: this.config.batch,
          expires: FETCH_EXPIRES_MS,
        });
        for await (const message of batch) {
          if (this.stopping) {
            message.nak();
          } else {
            this.held.push(message);
            this.wake();
          }
        }
      } catch (error) {
        if (this.stopping) break;
        this.log('warn', 'pulling failed, retrying', { error: errorText(error) });
        await sleep(1_000);
        if (isNotFound(error)) await ensureDurableConsumer(jsm, this.config, this.log);
      }
    }
  }

  /**
   * Applies the held messages in delivery order. All of them are kept alive (working) until applied, so a slow or
   * absent database spends none of their deliveries; JetStream delivers at most MAX_ACK_PENDING (durable-consumer.ts).
   */
  private async work(): Promise<void> {
    while (!this.stopping) {
      const message = this.held[0];
      if (message) {
        await this.handle(message);
        this.held.shift();
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
    // Back to the stream for another instance, rather than after their ack wait.
    for (const message of this.held.splice(0)) message.nak();
  }

  private async handle(message: JsMsg): Promise<void> {
    let parsed: LedgerMessage;
    try {
      parsed = parseMessage(message.headers, message.data);
    } catch (error) {
      if (!(error instanceof PoisonMessage)) throw error;
      return this.refuse(message, error.message);
    }
    try {
      const outcome = await this.retrying(() => apply(this.pool, parsed));
      if (outcome === 'applied') this.applied += 1;
      else this.duplicates += 1;
      message.ack();
    } catch (error) {
      if (error instanceof Stopping) return message.nak();
      if (!isDataError(error)) throw error;
      const code = (error as { code: string }).code;
      return this.refuse(message, `the database refused its effect (SQLSTATE ${code})`);
    }
  }

  /** Poison: delivered again after the backoff (a newer consumer may read it), dead-lettered at the last delivery. */
  private async refuse(message: JsMsg, reason: string): Promise<void> {
    const deliveries = message.info.deliveryCount;
    if (deliveries < this.config.maxDeliver) {
      const delay = this.config.backoffMs[deliveries - 1] ?? this.config.ackWaitMs;
      this.log('warn', 'refused a message, to be delivered again', {
        sequence: message.seq,
        deliveries,
        retryInMs: delay,
        reason,
      });
      return message.nak(delay);
    }
    try {
      await this.retrying(() =>
        deadLetter(this.pool, {
          stream: this.config.stream,
          streamSequence: message.seq,
          subject: message.subject,
          headers: headersOf(message.headers),
          payload: message.data,
          reason,
          deliveries,
        }),
      );
    } catch (error) {
      if (error instanceof Stopping) return message.nak();
      throw error;
    }
    this.log('error', 'dead-lettered a message', { sequence: message.seq, deliveries, reason });
    message.term(reason);
  }

  /** Retries a write the database could not take (down, restarting, overloaded); the message stays held. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (isDataError(error)) throw error;
        if (this.stopping) throw new Stopping();
        if (attempt === 0)
          this.log('warn', 'the database failed, retrying', { error: errorText(error) });
        await sleep(Math.min(100 * 2 ** attempt, 5_000));
      }
    }
  }

  private async streamExists(jsm: JetStreamManager): Promise<boolean> {
    for (let waiting = false; !this.stopping;) {
      try {
        await jsm.streams.info(this.config.stream);
        return true;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        if (!waiting)
          this.log('warn', 'waiting for the stream (is Chronicle running with NATS_URL?)', {
            stream: this.config.stream,
          });
        waiting = true;
        await sleep(1_000);
      }
    }
    return false;
  }

  private reportProgress(): void {
    if (this.applied === 0 && this.duplicates === 0) return;
    this.log('info', 'progress', { applied: this.applied, duplicates: this.duplicates });
    this.applied = 0;
    this.duplicates = 0;
  }
}
