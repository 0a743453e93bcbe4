import type { JetStreamManager, MsgHdrs, NatsConnection } from 'nats';
import type pg from 'pg';
import type { LedgerConfig } from './config.js';
import { parseMessage, PoisonMessage } from './contract.js';
import { deadLetter, processed } from './ledger.js';
import { errorText, type Log } from './log.js';

export function headersOf(headers: MsgHdrs | undefined): Record<string, string[]> {
  return Object.fromEntries((headers?.keys() ?? []).map((key) => [key, headers!.values(key)]));
}

interface Context {
  nc: NatsConnection;
  jsm: JetStreamManager;
  pool: pg.Pool;
  config: LedgerConfig;
  log: Log;
}

/**
 * JetStream gives up on a message delivered max_deliver times without an ack (a consumer killed each time, say)
 * and says so in an advisory: the message is kept as a dead letter unless it was applied after all. An advisory
 * sent while no instance is connected is lost; the consumer's info (num_redelivered) and the server's logs keep it.
 */
export function watchMaxDeliveries(context: Context): void {
  const { nc, config, log } = context;
  nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${config.stream}.${config.durable}`, {
    callback: (error, advisory) => {
      if (error) return;
      const { stream_seq: sequence, deliveries } = advisory.json<{
        stream_seq: number;
        deliveries: number;
      }>();
      keepUndelivered(context, sequence, deliveries).catch((failure: unknown) =>
        log('error', 'could not dead-letter a message JetStream gave up on', {
          sequence,
          error: errorText(failure),
        }),
      );
    },
  });
}

async function keepUndelivered(
  { jsm, pool, config, log }: Context,
  sequence: number,
  deliveries: number,
): Promise<void> {
  const stored = await jsm.streams.getMessage(config.stream, { seq: sequence });
  try {
    const { messageId } = parseMessage(stored.header, stored.data);
    if (await processed(pool, messageId)) return;
  } catch (error) {
    if (!(error instanceof PoisonMessage)) throw error;
  }
  const reason = `delivered ${deliveries} times without an acknowledgement`;
  await deadLetter(pool, {
    stream: config.stream,
    streamSequence: sequence,
    subject: stored.subject,
    headers: headersOf(stored.header),
    payload: stored.data,
    reason,
    deliveries,
  });
  log('error', 'dead-lettered a message', { sequence, deliveries, reason });
}
