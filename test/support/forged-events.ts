import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Appends, by SQL, an AccountOpened for a new account whose sealed personal data is the given account's with one
 * byte flipped: an event no projection can decrypt. Returns the forged account id and the event's position.
 */
export async function forgeUndecryptableAccountOpened(
  pool: Pool,
  accountId: string,
): Promise<{ forged: string; position: string }> {
  const { rows } = await pool.query(
    `SELECT data FROM events WHERE stream_id = $1 AND type = 'AccountOpened'`,
    [`account-${accountId}`],
  );
  const sealed = rows[0].data.$personal as { data: string };
  const bytes = Buffer.from(sealed.data, 'base64');
  bytes[0] ^= 1;
  const forged = randomUUID();
  const {
    rows: [inserted],
  } = await pool.query(
    `INSERT INTO events (stream_id, stream_version, event_id, type, data)
     VALUES ($1, 1, gen_random_uuid(), 'AccountOpened', $2) RETURNING global_position`,
    [
      `account-${forged}`,
      JSON.stringify({
        ...rows[0].data,
        accountId: forged,
        $personal: { ...sealed, data: bytes.toString('base64') },
      }),
    ],
  );
  return { forged, position: inserted.global_position };
}
