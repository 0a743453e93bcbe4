import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import { domainError } from '../shared/domain-error.js';
import { CHECKPOINTS, rebuildCheckpointName } from './projection-checkpoints.js';
import { REBUILD_LOCK_SPACE } from './leases.js';
import type { ProjectionWorker, WorkerTarget } from './projection-worker.js';

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
  ) {
    for (const table of tables) {
      if (!IDENTIFIER.test(table)) throw new Error(`Projection ${name}: bad table name "${table}"`);
    }
  }

  /**
   * Takes the rebuild lock and prepares the shadow tables; `done` settles when the copy has caught up and
   * been swapped in (the lock is held until then).
   */
  async start(
    makeWorker: (target: WorkerTarget, start: Checkpoint) => ProjectionWorker,
    onProgress: (progress: RebuildProgress) => void = () => {},
  ): Promise<{ done: Promise<void> }> {
    // Its session holds the lock: if the server ends it (every pooled client logs that), swap() finds the lock
    // gone and does not swap in, since another rebuild may run.
    const lock = await this.pool.connect();
    let target: WorkerTarget;
    let holder: number;
    try {
      const { rows } = await lock.query(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked, pg_backend_pid() AS pid',
        [REBUILD_LOCK_SPACE, this.name],
      );
      if (!rows[0].locked) throw new RebuildInProgress(this.name);
      holder = rows[0].pid;
      target = await this.prepare();
    } catch (error) {
      lock.release(true);
      throw error;
    }
    const worker = makeWorker(target, START);
    const report = () =>
      onProgress({ projection: this.name, checkpoint: worker.checkpoint, done: worker.processed });
    const timer = setInterval(report, 250).unref();
    const done = (async () => {
      try {
        await worker.drain();
        await this.swap(worker, holder);
        report();
      } finally {
        clearInterval(timer);
        await worker.stop();
        lock.release(true);
      }
    })();
    return { done };
  }

  private get schema(): string {
    return shadowSchemaOf(this.name);
  }

  /** A fresh shadow schema with empty copies of the tables, and the rebuild's checkpoint at the start. */
  private async prepare(): Promise<WorkerTarget> {
    const checkpointName = rebuildCheckpointName(this.name);
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      await tx.query(`CREATE SCHEMA ${this.schema}`);
      for (const table of this.tables) {
        await tx.query(`CREATE TABLE ${this.schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
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
    });
    return { checkpointName, schema: this.schema };
  }

  /** Locks the live checkpoint row first, as every batch does: no batch writes the old tables meanwhile. */
  private async swap(worker: ProjectionWorker, holder: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // A little more catching up first, so the live projection has little left to apply.
      await worker.drain();
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
          if (held.length === 0) {
            throw new Error(`Projection ${this.name}: the rebuild lost its lock; not swapped in`);
          }
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
        return;
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
