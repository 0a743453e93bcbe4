import { headers, type JetStreamClient, type PubAck } from 'nats';
import type { Checkpoint } from '../../event-store/index.js';
import { HEADERS, type IntegrationMessage } from '../integration-message.js';
import type { RelayMetrics } from './relay-metrics.js';

export interface PipelineOptions {
  /** Publishes awaiting their acknowledgement at once. */
  window: number;
  timeoutMs: number;
  /**
   * The stream's last sequence: the first message expects it, each later one the msg id before it, so nothing is
   * stored after a lost message (a sequence per message would not do). Unset: no expectation (a replay). See
   * docs/architecture.md#integration-events-relay-to-nats-jetstream.
   */
  chainFrom?: number;
  metrics?: RelayMetrics;
}

export interface PipelineOutcome {
  /** The leading messages now in the stream: stored, or dropped as duplicates of a copy already there. */
  done: number;
  duplicates: number;
  /** The stream's last sequence and the checkpoint of the last message of `done` stored. */
  lastSeq?: number;
  highWater?: Checkpoint;
  /** The first failure; what follows it is not known to be stored. */
  failure?: unknown;
}

type Answer = { ack: PubAck } | { error: unknown };

/**
 * Publishes in order with up to `window` acknowledgements outstanding, awaited in order: throughput from
 * pipelining, not one round trip per message. After a failure nothing more is sent; what is in flight is awaited.
 */
export async function publishInOrder(
  js: JetStreamClient,
  messages: readonly IntegrationMessage[],
  { window, timeoutMs, chainFrom, metrics }: PipelineOptions,
): Promise<PipelineOutcome> {
  const answers: Promise<Answer>[] = [];
  const send = (i: number): Promise<Answer> => {
    const message = messages[i];
    const h = headers();
    for (const name in message.headers) h.set(name, message.headers[name]);
    const started = performance.now();
    metrics?.sent(message.headers[HEADERS.eventType]);
    return js
      .publish(message.subject, JSON.stringify(message.payload), {
        msgID: message.msgId,
        headers: h,
        timeout: timeoutMs,
        ...(chainFrom === undefined
          ? {}
          : {
              expect: i === 0 ? { lastSequence: chainFrom } : { lastMsgID: messages[i - 1].msgId },
            }),
      })
      .then(
        (ack) => {
          metrics?.answered(ack.duplicate ? 'duplicate' : 'stored', performance.now() - started);
          return { ack };
        },
        (error: unknown) => {
          metrics?.answered('failed', performance.now() - started);
          return { error };
        },
      );
  };
  const outcome: PipelineOutcome = { done: 0, duplicates: 0, lastSeq: chainFrom };
  let sent = 0;
  for (let i = 0; i < messages.length; i++) {
    while (outcome.failure === undefined && sent < messages.length && sent < i + window)
      answers.push(send(sent++));
    if (i >= sent) break;
    const answer = await answers[i];
    if ('error' in answer) outcome.failure ??= answer.error;
    // Stored after a failure (an acknowledgement that timed out): the caller reads the stream's tail again.
    if (outcome.failure !== undefined || !('ack' in answer)) continue;
    outcome.done += 1;
    if (answer.ack.duplicate) outcome.duplicates += 1;
    else {
      outcome.lastSeq = answer.ack.seq;
      outcome.highWater = messages[i].checkpoint;
    }
  }
  return outcome;
}
