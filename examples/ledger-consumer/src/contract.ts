/**
 * The part of Chronicle's published contract this ledger reads (the app serves all of it at /asyncapi.json):
 * `accounts.v1.*` events, JSON, amounts in integer minor units, the event id in `Nats-Msg-Id`.
 * A tolerant reader: unknown payload fields are ignored, an unknown event type or version is refused.
 */
export type LedgerEvent =
  | { type: 'AccountOpened'; accountId: string; currency: string }
  | { type: 'MoneyDeposited'; accountId: string; amount: number }
  | { type: 'MoneyWithdrawn'; accountId: string; amount: number }
  | { type: 'WithdrawalRejected'; accountId: string }
  | { type: 'PersonalDataErased'; accountId: string };

export interface LedgerMessage {
  /** Chronicle's event id: what makes a redelivered or republished message a duplicate. */
  messageId: string;
  /** The event's global position in Chronicle's log, as decimal text (a bigint). */
  position: string;
  recordedAt: Date;
  event: LedgerEvent;
}

/** A message this consumer will never be able to apply, however often it is delivered. */
export class PoisonMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}

/** What the consumer needs of a message's headers (nats' MsgHdrs answers '' for a missing one). */
export interface Headers {
  get(name: string): string;
}

const VERSION = 'v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POSITION = /^[1-9][0-9]{0,18}$/;
const CURRENCY = /^[A-Z]{3}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseMessage(headers: Headers | undefined, data: Uint8Array): LedgerMessage {
  if (!headers) throw new PoisonMessage('no headers');
  const messageId = headers.get('Nats-Msg-Id');
  if (!UUID.test(messageId)) throw new PoisonMessage('Nats-Msg-Id is not a uuid');
  const position = headers.get('Chronicle-Position');
  if (!POSITION.test(position) || BigInt(position) > 2n ** 63n - 1n)
    throw new PoisonMessage('Chronicle-Position is not a positive bigint');
  const recordedAt = new Date(headers.get('Chronicle-Recorded-At'));
  if (Number.isNaN(recordedAt.getTime()))
    throw new PoisonMessage('Chronicle-Recorded-At is not a timestamp');

  const [context, version, type, ...rest] = headers.get('Chronicle-Event-Type').split('.');
  if (context !== 'accounts' || rest.length > 0 || !type)
    throw new PoisonMessage('Chronicle-Event-Type is not an accounts event');
  const schemaVersion = headers.get('Chronicle-Schema-Version');
  if (version !== VERSION || (schemaVersion !== '' && schemaVersion !== VERSION.slice(1)))
    throw new PoisonMessage(`unknown version of accounts.${type.slice(0, 64)}`);

  const payload = json(data);
  return { messageId: messageId.toLowerCase(), position, recordedAt, event: event(type, payload) };
}

function json(data: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(data));
  } catch {
    throw new PoisonMessage('the payload is not JSON in UTF-8');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PoisonMessage('the payload is not a JSON object');
  return value as Record<string, unknown>;
}

function event(type: string, payload: Record<string, unknown>): LedgerEvent {
  const accountId = payload.accountId;
  if (typeof accountId !== 'string' || !UUID.test(accountId))
    throw new PoisonMessage('accountId is not a uuid');
  const account = accountId.toLowerCase();
  switch (type) {
    case 'AccountOpened': {
      const currency = payload.currency;
      if (typeof currency !== 'string' || !CURRENCY.test(currency))
        throw new PoisonMessage('currency is not an ISO 4217 code');
      return { type, accountId: account, currency };
    }
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
      return { type, accountId: account, amount: amount(payload.amount) };
    case 'WithdrawalRejected':
    case 'PersonalDataErased':
      return { type, accountId: account };
    default:
      throw new PoisonMessage(`unknown event type accounts.v1.${type.slice(0, 64)}`);
  }
}

function amount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw new PoisonMessage('amount is not a positive integer of minor units');
  return value;
}
