import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { JetStreamManager, StreamConfig } from 'nats';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { IntegrationConfig, NatsConfig } from '../../config/integration-config.js';
import { type Checkpoint, PostgresEventStore } from '../../event-store/index.js';
import { compareCheckpoints, DependencyUnavailable } from '../../projections/index.js';
import { checkpointInHeaders, HEADERS, type IntegrationMessage } from '../integration-message.js';
import { describeNatsError, type JetStreamSession, NatsLink } from './nats-link.js';
import { publishInOrder } from './publish-pipeline.js';
import { RelayMetrics } from './relay-metrics.js';
import {
  expectedStream,
  type StreamLimits,
  type StreamSettings,
  streamDifferences,
} from './stream-config.js';

/** The end of the stream: its last sequence, and the checkpoint of its last message when that is Chronicle's. */
export interface StreamTail {
  lastSeq: number;
  messages: number;
  /** Set only when the last message is the event our log holds at that checkpoint (its id is the event's). */
  highWater?: Checkpoint;
  /** The last message, when it is not one the relay sent (a foreign writer, a forgery, a restored database). */
  foreign?: { subject: string; reason: string };
}

/** Attempts in a row that store nothing before the batch is handed back to the engine's backoff. */
const FRUITLESS_ATTEMPTS = 3;
/** JetStream's error codes: no such stream, no such message, the expected last sequence was not the stream's. */
const STREAM_NOT_FOUND = 10059;
const NO_MESSAGE = 10037;
const WRONG_LAST_SEQUENCE = 10071;
const WRONG_LAST_MSG_ID = 10070;

const errCode = (error: unknown) =>
  (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;

/**
 * Publishes integration events to the stream exactly once, in commit order: it skips what is at or before the
 * stream's last Chronicle-Position, chains each message to the one before, and a retry's copy is dropped by msg id.
 * See docs/architecture.md#integration-events-relay-to-nats-jetstream.
 */
@Injectable()
export class JetStreamRelay implements OnModuleInit {
  private readonly logger = new Logger('IntegrationRelay');
  private readonly integration: IntegrationConfig;
  private readonly nats: NatsConfig;
  private readonly expected: StreamSettings;
  /** Known while this relay alone appends; dropped after any failure, and read again. */
  private tail?: StreamTail;
  /** The check of the stream for the connection of that generation: one per connection, whoever asks first. */
  private checking?: { generation: number; done: Promise<void> };
  private differences: string[] = [];
  /** The stream's own duplicate window, as last checked: the operator's stream may differ from the setting. */
  private duplicateWindowMs: number;
  private warnedSeq = -1;
  private failing?: string;

  constructor(
    private readonly link: NatsLink,
    private readonly metrics: RelayMetrics,
    private readonly store: PostgresEventStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.integration = config.integration;
    this.nats = config.integration.nats!;
    this.expected = expectedStream(config.integration);
    this.duplicateWindowMs = config.integration.duplicateWindowMs;
  }

  /** The stream is created or checked as soon as NATS answers, not when there is first something to publish. */
  onModuleInit(): void {
    this.link.onConnected(() => {
      this.ready().catch((error: unknown) =>
        this.logger.warn(
          `Could not check the JetStream stream ${this.expected.name}: ${error instanceof Error ? error.message : String(error)} (checked again at the next publish)`,
        ),
      );
    });
  }

  /** Resolves once every message is in the stream; throws DependencyUnavailable otherwise (the engine retries). */
  async publish(messages: readonly IntegrationMessage[]): Promise<void> {
    try {
      await this.publishAll(messages);
    } catch (error) {
      // Checked again at the next attempt: a stream deleted while running is re-created, a full one is reported.
      this.checking = undefined;
      this.tail = undefined;
      const line = error instanceof Error ? error.message : String(error);
      // One line per outage, not one per retry; the projection's lastError shows it meanwhile.
      if (line !== this.failing) this.logger.warn(`Publishing stopped: ${line}`);
      this.failing = line;
      throw error;
    }
    if (this.failing !== undefined)
      this.logger.log('Publishing again: the stream takes the events');
    this.failing = undefined;
  }

  private async publishAll(messages: readonly IntegrationMessage[]): Promise<void> {
    let remaining = messages;
    let fruitless = 0;
    while (remaining.length > 0) {
      const { js, jsm } = await this.ready();
      const tail = (this.tail ??= await this.unavailableOnError(() => this.readTail(jsm)));
      const { highWater } = tail;
      const fresh = highWater
        ? remaining.filter((m) => compareCheckpoints(m.checkpoint, highWater) > 0)
        : remaining;
      this.metrics.skippedAlreadyStored(remaining.length - fresh.length);
      if (fresh.length === 0) return;
      const outcome = await publishInOrder(js, fresh, {
        window: this.nats.maxInFlight,
        timeoutMs: this.nats.publishTimeoutMs,
        chainFrom: tail.lastSeq,
        metrics: this.metrics,
      });
      const stored = outcome.done - outcome.duplicates;
      if (outcome.failure === undefined) {
        this.tail = {
          lastSeq: outcome.lastSeq!,
          messages: tail.messages + stored,
          highWater: outcome.highWater ?? highWater,
        };
        return;
      }
      this.tail = undefined;
      remaining = fresh.slice(outcome.done);
      fruitless = outcome.done > 0 ? 0 : fruitless + 1;
      const code = errCode(outcome.failure);
      if (code === WRONG_LAST_SEQUENCE || code === WRONG_LAST_MSG_ID) {
        // Another writer stored a message in between: none of ours after it was stored (each expects the id
        // of the one before). A replay or a second instance's last batch: read the tail again and go on.
        const now = (this.tail = await this.unavailableOnError(() => this.readTail(jsm)));
        // Anyone else is an error to see (log, metric, the projection's lastError), though nothing is lost.
        if (now.foreign) {
          this.metrics.foreignMessage();
          throw new DependencyUnavailable(
            `A message the relay did not send was stored in stream ${this.expected.name} while it published ` +
              `(sequence ${now.lastSeq}, subject ${now.foreign.subject}: ${now.foreign.reason}); ` +
              `the relay publishes after it, nothing is skipped: find the writer`,
          );
        }
        if (fruitless < FRUITLESS_ATTEMPTS) continue;
      }
      throw new DependencyUnavailable(
        `JetStream did not take the event at position ${remaining[0].checkpoint.position} (${describeNatsError(outcome.failure)}): retrying`,
        { cause: outcome.failure },
      );
    }
  }

  /**
   * Publishes again, with the same msg ids and no expectation: JetStream drops those within its duplicate window
   * (the stream's, returned with the counts).
   */
  async replay(
    messages: readonly IntegrationMessage[],
  ): Promise<{ stored: number; duplicates: number; duplicateWindowMs: number }> {
    const { js } = await this.ready();
    const outcome = await publishInOrder(js, messages, {
      window: this.nats.maxInFlight,
      timeoutMs: this.nats.publishTimeoutMs,
    });
    if (outcome.failure !== undefined)
      throw new DependencyUnavailable(
        `JetStream did not take the event at position ${messages[outcome.done].checkpoint.position} (${describeNatsError(outcome.failure)})`,
        { cause: outcome.failure },
      );
    return {
      stored: outcome.done - outcome.duplicates,
      duplicates: outcome.duplicates,
      duplicateWindowMs: this.duplicateWindowMs,
    };
  }

  /**
   * The stream as it is now (no `tail` when there is none yet), and how its settings differ from the relay's
   * expectations. Only looks: the stream is created by the relay when it starts, not by an operator asking.
   */
  async status(): Promise<{
    stream: string;
    tail?: StreamTail;
    differences: string[];
    duplicateWindowMs: number;
  }> {
    const { jsm } = await this.link.jetStream();
    const stream = this.integration.stream;
    const config = await this.unavailableOnError(() => this.streamConfig(jsm));
    if (!config) return { stream, differences: [], duplicateWindowMs: this.duplicateWindowMs };
    return {
      stream,
      tail: await this.unavailableOnError(() => this.readTail(jsm)),
      differences: streamDifferences(config, this.expected),
      duplicateWindowMs: (config.duplicate_window ?? this.expected.duplicate_window) / 1_000_000,
    };
  }

  /** Connected, with the stream created or checked since the last (re)connection. */
  private async ready(): Promise<JetStreamSession> {
    const session = await this.link.jetStream();
    const generation = this.link.generation;
    // Start-up's check and a publish's would otherwise race to create the stream.
    if (this.checking?.generation !== generation) {
      this.tail = undefined;
      const done = this.unavailableOnError(() => this.checkStream(session.jsm));
      this.checking = { generation, done };
      done.catch(() => {
        if (this.checking?.done === done) this.checking = undefined;
      });
    }
    await this.checking!.done;
    return session;
  }

  /** Creates the stream, or compares an existing one and says what differs without changing it. */
  private async checkStream(jsm: JetStreamManager): Promise<void> {
    let config = await this.streamConfig(jsm);
    if (!config) {
      await jsm.streams.add({ ...this.expected, discard: 'old' } as Partial<StreamConfig>);
      this.logger.log(
        `Created the JetStream stream ${this.expected.name} (${this.expected.subjects.join(', ')}, file storage, duplicate window ${this.integration.duplicateWindowMs} ms)`,
      );
      config = this.expected;
    }
    this.differences = streamDifferences(config, this.expected);
    this.duplicateWindowMs =
      (config.duplicate_window ?? this.expected.duplicate_window) / 1_000_000;
    this.metrics.streamDiffers(this.differences.length);
    if (this.differences.length > 0)
      this.logger.warn(
        `The JetStream stream ${this.expected.name} differs from what Chronicle expects, and is left as it is: ${this.differences.join('; ')}`,
      );
  }

  /** The stream's settings; undefined when there is no such stream. */
  private async streamConfig(
    jsm: JetStreamManager,
  ): Promise<Partial<StreamSettings & StreamLimits> | undefined> {
    try {
      return (await jsm.streams.info(this.expected.name)).config as Partial<
        StreamSettings & StreamLimits
      >;
    } catch (error) {
      if (errCode(error) !== STREAM_NOT_FOUND) throw error;
      return undefined;
    }
  }

  private async readTail(jsm: JetStreamManager): Promise<StreamTail> {
    const { state } = await jsm.streams.info(this.expected.name);
    const tail: StreamTail = { lastSeq: state.last_seq, messages: state.messages };
    if (state.messages === 0) return tail;
    try {
      const last = await jsm.streams.getMessage(this.expected.name, { seq: state.last_seq });
      const header = (name: string) => last.header?.get(name) ?? '';
      const claimed = checkpointInHeaders(header);
      // Headers anyone can write (a forgery), or a log restored to before them: trusted only when our log holds
      // that very event at that checkpoint, or the relay would skip everything up to a position it never sent.
      const eventId = claimed && (await this.store.eventIdAt(claimed));
      if (claimed && eventId && eventId === header(HEADERS.msgId)) tail.highWater = claimed;
      else
        tail.foreign = {
          subject: last.subject,
          reason: !claimed
            ? 'it carries no Chronicle-Position'
            : `its Chronicle-Position ${claimed.position} (transaction ${claimed.transactionId}) is not the event ` +
              `${header(HEADERS.msgId) || '(no Nats-Msg-Id)'} in the event log`,
        };
    } catch (error) {
      if (errCode(error) !== NO_MESSAGE) throw error;
      tail.foreign = { subject: '?', reason: 'it was deleted' };
    }
    if (tail.foreign && this.warnedSeq !== state.last_seq) {
      this.warnedSeq = state.last_seq;
      this.logger.warn(
        `The last message of stream ${this.expected.name} (sequence ${state.last_seq}, subject ` +
          `${tail.foreign.subject}) is not one the relay sent: ${tail.foreign.reason}. No high-water mark: events ` +
          'the relay sent before are dropped only within the duplicate window',
      );
    }
    return tail;
  }

  private async unavailableOnError<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof DependencyUnavailable) throw error;
      throw new DependencyUnavailable(`JetStream: ${describeNatsError(error)}`, { cause: error });
    }
  }
}
