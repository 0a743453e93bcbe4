import type { DataSource } from 'typeorm';
import { CONTROL_CHANNEL } from './leases.js';
import { NothingToSkip } from './projection.errors.js';

/** A row of projection_dead_letters as `GET /admin/projections/:name/dead-letters` answers it. */
export interface DeadLetter {
  id: number;
  eventId: string;
  position: number;
  eventType: string;
  error: string;
  attempts: number;
  failedAt: string;
  resolution: string | null;
  resolvedAt: string | null;
}

/**
 * An operator's actions on a failed projection, in the database: the instance holding its lease hears of them
 * on CONTROL_CHANNEL, wherever it runs.
 */
export class ProjectionOperations {
  constructor(private readonly dataSource: DataSource) {}

  /** Sets the projection to resume at the event it stopped at; its dead letters are marked retried. */
  async retry(name: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `UPDATE public.projection_checkpoints SET status = 'catching-up', last_error = NULL WHERE name = $1`,
        [name],
      );
      await tx.query(
        `UPDATE public.projection_dead_letters SET resolution = 'retried', resolved_at = now()
         WHERE projection = $1 AND resolution IS NULL`,
        [name],
      );
      await tx.query(`SELECT pg_notify('${CONTROL_CHANNEL}', $1)`, [name]);
    });
  }

  /** Moves a failed projection past the one event it stopped at; NothingToSkip when it is not stopped there. */
  async skip(name: string, position: number): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [dead] = await tx.query(
        `SELECT d.id, d.transaction_id::text AS transaction_id FROM public.projection_dead_letters d
         JOIN public.projection_checkpoints c ON c.name = d.projection AND c.status = 'failed'
         WHERE d.projection = $1 AND d.global_position = $2 AND d.resolution IS NULL
         FOR UPDATE OF c`,
        [name, position],
      );
      if (!dead) throw new NothingToSkip(name, position);
      await tx.query(
        `UPDATE public.projection_dead_letters SET resolution = 'skipped', resolved_at = now() WHERE id = $1`,
        [dead.id],
      );
      await tx.query(
        `UPDATE public.projection_checkpoints SET transaction_id = $2::xid8, global_position = $3,
           status = 'catching-up', last_error = NULL, updated_at = now() WHERE name = $1`,
        [name, dead.transaction_id, position],
      );
      await tx.query(`SELECT pg_notify('${CONTROL_CHANNEL}', $1)`, [name]);
    });
  }

  /** The newest 100. */
  async deadLetters(name: string): Promise<DeadLetter[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, event_id, global_position, event_type, error, attempts, failed_at, resolution, resolved_at
       FROM public.projection_dead_letters WHERE projection = $1 ORDER BY id DESC LIMIT 100`,
      [name],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      eventId: r.event_id as string,
      position: Number(r.global_position),
      eventType: r.event_type as string,
      error: r.error as string,
      attempts: r.attempts as number,
      failedAt: (r.failed_at as Date).toISOString(),
      resolution: (r.resolution as string | null) ?? null,
      resolvedAt: r.resolved_at ? (r.resolved_at as Date).toISOString() : null,
    }));
  }
}
