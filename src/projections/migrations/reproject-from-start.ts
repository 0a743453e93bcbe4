import type { QueryRunner } from 'typeorm';

/**
 * For a migration that empties a projection's tables, all of them: the projection starts over from the first event,
 * like a rebuild; its open dead letters count as retried. Tables emptied apart disagree (the accounts' statement
 * lines are inserted as new rows: with the balances emptied alone, the first line written again fails the projection).
 */
export async function reprojectFromStart(db: QueryRunner, projection: string): Promise<void> {
  await db.query(
    `UPDATE projection_checkpoints SET transaction_id = '0', global_position = 0, status = 'catching-up',
       last_error = NULL, started_at = now(), updated_at = now()
     WHERE name = $1`,
    [projection],
  );
  await db.query('DELETE FROM projection_checkpoints WHERE name = $1', [`${projection}:rebuild`]);
  await db.query(
    `UPDATE projection_dead_letters SET resolution = 'retried', resolved_at = now()
     WHERE projection = $1 AND resolution IS NULL`,
    [projection],
  );
}
