import type { DataSource } from 'typeorm';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { CHECKPOINTS } from './projection-checkpoints.js';
import { DependencyUnavailable } from './projection.errors.js';

/** The handler (or decrypting the events for it) threw: the events may be at fault, unlike a lost connection. */
export class HandlerFailure extends Error {
  constructor(
    error: unknown,
    readonly relevant: readonly PersistedEvent[],
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Runs `step`; whatever it throws becomes the HandlerFailure of `relevant`, but an unavailable dependency. */
export async function blamingEvents<T>(
  relevant: readonly PersistedEvent[],
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof DependencyUnavailable) throw error;
    throw new HandlerFailure(error, relevant);
  }
}

/** The reason stored on the checkpoint row of a projection stopped at `event`. */
export const deadLetterReason = (event: PersistedEvent, error: string) =>
  `event ${event.globalPosition} (${event.type}): ${error}`;

/** Records the event that keeps failing and sets the projection failed at it, in one transaction. */
export async function recordDeadLetter(
  dataSource: DataSource,
  checkpointName: string,
  { event, error, attempts }: { event: PersistedEvent; error: string; attempts: number },
): Promise<void> {
  await dataSource.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO public.projection_dead_letters
         (projection, event_id, global_position, transaction_id, event_type, error, attempts)
       VALUES ($1, $2, $3, $4::xid8, $5, $6, $7)`,
      [
        checkpointName,
        event.eventId,
        event.globalPosition,
        event.transactionId,
        event.type,
        error,
        attempts,
      ],
    );
    await tx.query(
      `UPDATE ${CHECKPOINTS} SET status = 'failed', last_error = $2, updated_at = now() WHERE name = $1`,
      [checkpointName, deadLetterReason(event, error)],
    );
  });
}
