import { AckPolicy, DeliverPolicy, nanos, type JetStreamManager } from 'nats';
import type { LedgerConfig } from './config.js';
import type { Log } from './log.js';

/** Messages delivered and not yet acknowledged, at most: held in memory, or poison waiting out its backoff. */
export const MAX_ACK_PENDING = 1_000;

export function isNotFound(error: unknown): boolean {
  return (error as { api_error?: { code?: number } }).api_error?.code === 404;
}

/**
 * Creates the durable pull consumer, or brings an existing one's redelivery policy to the configured one; one that
 * reads other subjects or acknowledges otherwise belongs to someone else and is left alone.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  config: LedgerConfig,
  log: Log,
): Promise<void> {
  const { stream, durable, filterSubject, maxDeliver, backoffMs } = config;
  const wanted = {
    ack_wait: nanos(backoffMs[0]),
    max_deliver: maxDeliver,
    backoff: backoffMs.map(nanos),
    max_ack_pending: MAX_ACK_PENDING,
  };
  const info = await jsm.consumers.info(stream, durable).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!info) {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubject,
      ...wanted,
    });
    log('info', 'created the durable consumer', { stream, consumer: durable });
    return;
  }
  if (info.config.filter_subject !== filterSubject || info.config.ack_policy !== AckPolicy.Explicit)
    throw new Error(
      `consumer ${durable} on ${stream} exists with filter ${info.config.filter_subject} and ack policy ` +
        `${info.config.ack_policy}; this ledger needs ${filterSubject} and explicit acks: use another LEDGER_CONSUMER`,
    );
  const current = {
    ack_wait: info.config.ack_wait,
    max_deliver: info.config.max_deliver,
    backoff: info.config.backoff ?? [],
    max_ack_pending: info.config.max_ack_pending,
  };
  if (JSON.stringify(current) !== JSON.stringify(wanted)) {
    await jsm.consumers.update(stream, durable, wanted);
    log('info', 'updated the redelivery policy of the durable consumer', {
      from: current,
      to: wanted,
    });
  }
}
