import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import { domainError } from '../shared/domain-error.js';
import { CHECKPOINTS, readCheckpointRow, rebuildCheckpointName } from './projection-checkpoints.js';
import { REBUILD_LOCK_SPACE } from './leases.js';
import type { ProjectionWorker, WorkerTarget } from './projection-worker.js';
import { isHalted } from './worker-state.js';

export class RebuildInProgress extends domainError('conflict', 'rebuild-in-progress') {
  constructor(readonly projection: string) {
    super(`Projection ${projection} is already being rebuilt`);
  }
}

export interface RebuildProgress {
  projection: string;
  checkpoint: Checkpoint;
  done: number;
}

/** The schema that holds a rebuild's copies of a projection's tables. */
export const shadowSchemaOf = (name: string) =>
  `chronicle_rebuild_${name.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export interface RebuildOptions {
  /** Of `tables`, those the projection only inserts into: their copies are filled unindexed (see ReadModel). */
  insertOnly?: readonly string[];
  /** The index builds' statement timeout (DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS; 0: none). */
  maintenanceStatementTimeoutMs: number;
}

export interface RunningRebuild {
  /** True once swapped in; false when stopped before (its copy is left for a resumed catch-up). */
  done: Promise<boolean>;
  /** Stops after the batch in flight, without swapping in. */
  stop(): Promise<void>;
}

/**
 * Rebuilds a projection into shadow tables while queries read the current ones, then swaps them in.
 * See docs/architecture.md#projections.
 */
export class ProjectionRebuild {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pool: pg.Pool,
    private readonly name: string,
    private readonly tables: readonly string[],
    private readonly options: RebuildOptions,
  ) {
    for (const table of tables) {
      if (!IDENTIFIER.test(table)) throw new Error(`Projection ${name}: bad table name "${table}"`);
    }
    for (const table of options.insertOnly ?? []) {
      if (!tables.includes(table))
        throw new Error(
          `Projection ${name}: insert-only table "${table}" is not one of its tables`,
        );
    }
  }

  /**
   * Takes the rebuild lock and prepares the shadow tables; `done` settles when the copy has caught up and
   * been swapped in (the lock is held until then). With `resume`, a copy left by an earlier run that was stopped
   * or died goes on from its checkpoint, if the live tables' definitions are still those it was made from.
   */
  async start(
    makeWorker: (target: WorkerTarget, start: Checkpoint) => ProjectionWorker,
    onProgress: (progress: RebuildProgress) => void = () => {},
    { resume = false }: { resume?: boolean } = {},
  ): Promise<RunningRebuild> {
    // Its session holds the lock: if the server ends it (every pooled client logs that), swap() finds the lock
    // gone and does not swap in, since another rebuild may run.
    const lock = await this.pool.connect();
    let prepared: { target: WorkerTarget; start: Checkpoint };
    let holder: number;
    try {
      const { rows } = await lock.query(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked, pg_backend_pid() AS pid',
        [REBUILD_LOCK_SPACE, this.name],
      );
      if (!rows[0].locked) throw new RebuildInProgress(this.name);
      holder = rows[0].pid;
      prepared = await this.prepare(resume);
    } catch (error) {
      lock.release(true);
      throw error;
    }
    const worker = makeWorker(prepared.target, prepared.start);
    const report = () =>
      onProgress({ projection: this.name, checkpoint: worker.checkpoint, done: worker.processed });
    const timer = setInterval(report, 250).unref();
    let building = false;
    const done = (async () => {
      try {
        await worker.drain();
        if (isHalted(worker.state)) return false;
        building = true;
        try {
          await this.buildDeferredIndexes(lock);
        } catch (error) {
          // Cancelled by stop(): the copy is left as it was before the build, to be resumed.
          if (isHalted(worker.state)) return false;
          // The build ran on the lock's session: if that is gone, so is the lock, which is what went wrong.
          if (
            !(await lock.query('ROLLBACK').then(
              () => true,
              () => false,
            ))
          )
            throw this.lostLock();
          throw error;
        } finally {
          building = false;
        }
        if (!(await this.swap(worker, holder))) return false;
        report();
        return true;
      } finally {
        clearInterval(timer);
        await worker.stop();
        // Unlocked before the session is destroyed, whose end the server sees a moment later: whoever comes next
        // (an operator's retry, a failed first catch-up's discard) finds the lock free.
        await lock.query('ROLLBACK').catch(() => undefined);
        await lock.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        lock.release(true);
      }
    })();
    const stop = async () => {
      await worker.stop();
      // A shutdown does not wait for the key of a large copy: its build is one transaction, begun again later.
      if (building)
        await this.pool.query('SELECT pg_cancel_backend($1)', [holder]).catch(() => undefined);
      await done.catch(() => undefined);
    };
    return { done, stop };
  }

  /**
   * Drops a copy left behind, unless a rebuild runs (it holds the lock): after a first catch-up as a rebuild failed,
   * nothing would resume it.
   */
  async discard(): Promise<void> {
    const session = await this.pool.connect();
    try {
      const { rows } = await session.query(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [REBUILD_LOCK_SPACE, this.name],
      );
      if (!rows[0].locked) return;
      await session.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      await session.query(`DELETE FROM ${CHECKPOINTS} WHERE name = $1`, [
        rebuildCheckpointName(this.name),
      ]);
    } finally {
      // Destroyed rather than unlocked: the lock goes with the session, whatever failed above.
      session.release(true);
    }
  }

  private lostLock(): Error {
    return new Error(`Projection ${this.name}: the rebuild lost its lock; not swapped in`);
  }

  private get schema(): string {
    return shadowSchemaOf(this.name);
  }

  /**
   * A fresh shadow schema with empty copies of the tables (an insert-only table's without its indexes), and the
   * rebuild's checkpoint at the start; or, resuming, the copy an earlier run left, if made from the same definitions.
   */
  private async prepare(resume: boolean): Promise<{ target: WorkerTarget; start: Checkpoint }> {
    const checkpointName = rebuildCheckpointName(this.name);
    const target = { checkpointName, schema: this.schema };
    return this.dataSource.transaction(async (tx) => {
      const definitions = await this.definitions(tx);
      if (resume) {
        const [kept] = await tx.query(
          `SELECT obj_description(oid, 'pg_namespace') AS definitions FROM pg_namespace WHERE nspname = $1`,
          [this.schema],
        );
        const row = await readCheckpointRow(tx, checkpointName);
        if (kept?.definitions === definitions && row && row.status !== 'failed')
          return { target, start: row.checkpoint };
      }
      await tx.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      await tx.query(`CREATE SCHEMA ${this.schema}`);
      // An md5 in hex: nothing to quote.
      await tx.query(`COMMENT ON SCHEMA ${this.schema} IS '${definitions}'`);
      for (const table of this.tables) {
        const indexes = this.options.insertOnly?.includes(table) ? 'EXCLUDING INDEXES' : '';
        await tx.query(
          `CREATE TABLE ${this.schema}.${table} (LIKE public.${table} INCLUDING ALL ${indexes})`,
        );
        // LIKE copies columns, constraints and indexes but not storage parameters such as fillfactor.
        const [{ options }] = await tx.query(
          `SELECT array_to_string(reloptions, ', ') AS options FROM pg_class WHERE oid = $1::regclass`,
          [`public.${table}`],
        );
        if (options) await tx.query(`ALTER TABLE ${this.schema}.${table} SET (${options})`);
      }
      await tx.query(
        `INSERT INTO ${CHECKPOINTS} (name, status) VALUES ($1, 'rebuilding')
         ON CONFLICT (name) DO UPDATE SET transaction_id = '0', global_position = 0,
           status = 'rebuilding', last_error = NULL, started_at = now(), updated_at = now()`,
        [checkpointName],
      );
      return { target, start: START };
    });
  }

  /** A digest of the live tables' columns, constraints, indexes and storage parameters. */
  private async definitions(tx: Pick<DataSource, 'query'>): Promise<string> {
    const [{ digest }] = await tx.query(
      `WITH live AS (
         SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname = ANY($1))
       SELECT md5(coalesce(string_agg(definition, E'\n' ORDER BY definition), '')) AS digest FROM (
         -- Everything LIKE ... INCLUDING ALL copies: a migration that changed any of it must not resume a copy
         -- (attcompression read through jsonb: PostgreSQL 13 has none).
         SELECT format('%s column %s %s %s %s %s %s %s %s %s %s', live.relname, a.attnum, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                  a.attcollation::regcollation, a.attidentity, a.attgenerated, a.attstorage,
                  to_jsonb(a) ->> 'attcompression')
         FROM live JOIN pg_attribute a ON a.attrelid = live.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         UNION ALL
         SELECT format('%s constraint %s %s', live.relname, con.conname, pg_get_constraintdef(con.oid))
         FROM live JOIN pg_constraint con ON con.conrelid = live.oid
         UNION ALL
         SELECT format('%s index %s', live.relname, pg_get_indexdef(i.indexrelid))
         FROM live JOIN pg_index i ON i.indrelid = live.oid
         UNION ALL
         SELECT format('%s options %s', live.relname, c.reloptions)
         FROM live JOIN pg_class c ON c.oid = live.oid
       ) AS definitions(definition)`,
      [this.tables],
    );
    return digest;
  }

  /**
   * Gives the insert-only copies the live tables' keys and indexes, by definition and under the same names (the
   * shadow schema is their namespace until the swap). Built once over the whole copy rather than kept up at each
   * insert: each line of a log-ordered load would land on a random leaf of its table's key.
   */
  private async buildDeferredIndexes(session: pg.PoolClient): Promise<void> {
    const tables = this.options.insertOnly ?? [];
    if (tables.length === 0) return;
    const { rows } = await session.query<{
      table: string;
      name: string;
      constraint: boolean;
      definition: string;
    }>(
      `WITH live AS (
         SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relname = ANY($1))
       SELECT live.relname AS table, con.conname AS name, true AS constraint,
         pg_get_constraintdef(con.oid) AS definition
       FROM live JOIN pg_constraint con ON con.conrelid = live.oid AND con.contype IN ('p', 'u', 'x')
       UNION ALL
       SELECT live.relname, ic.relname, false, pg_get_indexdef(i.indexrelid)
       FROM live JOIN pg_index i ON i.indrelid = live.oid JOIN pg_class ic ON ic.oid = i.indexrelid
       WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = live.oid
         AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))`,
      [tables],
    );
    const { rows: built } = await session.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1`,
      [this.schema],
    );
    const exists = new Set(built.map((row) => row.name));
    const { maintenanceStatementTimeoutMs: timeout } = this.options;
    // The pool's client-side bound is the app's statement timeout: each build carries its own.
    const queryTimeout = timeout > 0 ? timeout + 5_000 : 2 ** 31 - 1;
    await session.query('BEGIN');
    await session.query(`SET LOCAL statement_timeout = ${Math.trunc(timeout)}`);
    for (const { table, name, constraint, definition } of rows) {
      // A copy resumed after a crash may have them already.
      if (exists.has(name)) continue;
      const text = constraint
        ? `ALTER TABLE ${this.schema}.${table} ADD CONSTRAINT "${name.replaceAll('"', '""')}" ${definition}`
        : this.onShadow(definition, table);
      await session.query({ text, query_timeout: queryTimeout } as pg.QueryConfig);
    }
    await session.query('COMMIT');
  }

  /** An index's definition (`CREATE INDEX name ON public.table USING ...`) on the copy of its table instead. */
  private onShadow(definition: string, table: string): string {
    const live = ` ON public.${table} USING `;
    const parts = definition.split(live);
    if (parts.length !== 2)
      throw new Error(
        `Projection ${this.name}: cannot read the definition of an index of ${table}`,
      );
    return parts.join(` ON ${this.schema}.${table} USING `);
  }

  /** Locks the live checkpoint row first, as every batch does: no batch writes the old tables meanwhile. */
  private async swap(worker: ProjectionWorker, holder: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      // A little more catching up first, so the live projection has little left to apply.
      await worker.drain();
      if (isHalted(worker.state)) return false;
      try {
        await this.dataSource.transaction(async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = '2s'`);
          await tx.query(`SELECT 1 FROM ${CHECKPOINTS} WHERE name = ANY($1) FOR UPDATE`, [
            [this.name, rebuildCheckpointName(this.name)],
          ]);
          const held = await tx.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1
               AND classid::bigint = $2 AND objid = hashtext($3)::oid AND objsubid = 2`,
            [holder, REBUILD_LOCK_SPACE, this.name],
          );
          if (held.length === 0) throw this.lostLock();
          const [rebuilt] = await tx.query(
            `SELECT transaction_id::text AS transaction_id, global_position FROM ${CHECKPOINTS}
             WHERE name = $1`,
            [rebuildCheckpointName(this.name)],
          );
          const names = await this.indexNames(tx);
          for (const table of this.tables) {
            await tx.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
          }
          for (const table of this.tables) {
            await tx.query(`DROP TABLE public.${table}`);
            await tx.query(`ALTER TABLE ${this.schema}.${table} SET SCHEMA public`);
          }
          for (const { from, to } of names) {
            if (from !== to) await tx.query(`ALTER INDEX public."${from}" RENAME TO "${to}"`);
          }
          await tx.query(
            `UPDATE ${CHECKPOINTS} SET transaction_id = $2::xid8, global_position = $3,
               status = CASE status WHEN 'failed' THEN 'catching-up' ELSE status END,
               last_error = NULL, updated_at = now() WHERE name = $1`,
            [this.name, rebuilt.transaction_id, rebuilt.global_position],
          );
          await tx.query(`DELETE FROM ${CHECKPOINTS} WHERE name = $1`, [
            rebuildCheckpointName(this.name),
          ]);
          await tx.query(`DROP SCHEMA ${this.schema}`);
          await tx.query(
            `UPDATE public.projection_dead_letters SET resolution = 'retried', resolved_at = now()
             WHERE projection = $1 AND resolution IS NULL`,
            [this.name],
          );
          await tx.query(`SELECT pg_notify('chronicle_projections', $1)`, [this.name]);
        });
        return true;
      } catch (error) {
        // 55P03: a long query held a table lock past lock_timeout; try again rather than queue readers behind us.
        if ((error as { code?: string }).code !== '55P03' || attempt >= 10) throw error;
      }
    }
  }

  /**
   * The copies' indexes got generated names; after the swap they take the originals' names (matched by
   * definition), so later migrations that name an index still find it.
   */
  private async indexNames(tx: {
    query: DataSource['query'];
  }): Promise<Array<{ from: string; to: string }>> {
    const rows: Array<{ from: string; to: string }> = await tx.query(
      `SELECT shadow.indexname AS "from", live.indexname AS "to"
       FROM pg_indexes live
       JOIN pg_indexes shadow ON shadow.schemaname = $1 AND shadow.tablename = live.tablename
        AND replace(replace(shadow.indexdef, shadow.indexname, ''), $1 || '.', '')
          = replace(replace(live.indexdef, live.indexname, ''), 'public.', '')
       WHERE live.schemaname = 'public' AND live.tablename = ANY($2)`,
      [this.schema, this.tables],
    );
    return rows;
  }
}
