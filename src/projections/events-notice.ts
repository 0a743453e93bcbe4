import type { Checkpoint } from '../event-store/event-store.types.js';
import { compareCheckpoints } from './checkpoint.js';
import { EVENTS_CHANNEL } from './leases.js';

/**
 * A commit notice: receivers wake only the projections reading `types`, up to `checkpoint`.
 * See docs/architecture.md#projections.
 */
export interface EventsNotice {
  from: string;
  types: ReadonlySet<string>;
  checkpoint?: Checkpoint;
}

/** NOTIFY payloads stop at 8000 bytes: past that, say nothing and wake every projection. */
const MAX_NOTICE_LENGTH = 7_900;

function eventsNotice(notice: EventsNotice): string {
  const payload = JSON.stringify({ ...notice, types: [...notice.types] });
  return payload.length <= MAX_NOTICE_LENGTH ? payload : '';
}

/** Sends the notice on the events channel; inside a transaction, PostgreSQL delivers it at commit. */
export async function announceEvents(
  db: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  notice: EventsNotice,
): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, eventsNotice(notice)]);
}

export function readEventsNotice(payload: string): EventsNotice | undefined {
  try {
    const { from, types, checkpoint } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof from !== 'string' || !Array.isArray(types)) return undefined;
    return {
      from,
      types: new Set(types.filter((t): t is string => typeof t === 'string')),
      checkpoint: isCheckpoint(checkpoint) ? checkpoint : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The newer of two checkpoints. */
export const newerOf = (a: Checkpoint | undefined, b: Checkpoint): Checkpoint =>
  a && compareCheckpoints(a, b) >= 0 ? a : b;

/**
 * Tells other processes of local commits: one NOTIFY at a time, naming every event type committed since the
 * previous one, so a burst of commits costs a few notices.
 */
export class CommitNotices {
  /** Event types committed here and not yet announced. */
  private readonly types = new Set<string>();
  private upTo?: Checkpoint;
  private sending?: Promise<void>;
  private closed = false;

  constructor(
    private readonly db: { query(sql: string, parameters: unknown[]): Promise<unknown> },
    /** Names this process's notices, which it ignores when they come back. */
    readonly from: string,
  ) {}

  committed(type: string, checkpoint: Checkpoint): void {
    if (this.closed) return;
    this.types.add(type);
    this.upTo = newerOf(this.upTo, checkpoint);
    if (this.sending) return;
    this.sending = (async () => {
      while (this.types.size > 0 && !this.closed) {
        const notice = { from: this.from, types: new Set(this.types), checkpoint: this.upTo };
        this.types.clear();
        this.upTo = undefined;
        await announceEvents(this.db, notice).catch(() => {});
      }
    })().finally(() => (this.sending = undefined));
  }

  /** Sends nothing more; resolves once the notice in flight is sent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
  }
}

function isCheckpoint(value: unknown): value is Checkpoint {
  const c = value as Checkpoint | undefined;
  return (
    typeof c?.transactionId === 'string' &&
    /^\d+$/.test(c.transactionId) &&
    Number.isSafeInteger(c.position)
  );
}
