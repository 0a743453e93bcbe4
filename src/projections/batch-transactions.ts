import type { DataSource, EntityManager } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { compareCheckpoints } from './checkpoint.js';
import { blamingEvents } from './dead-letters.js';
import { type Processor, type ProjectionTransaction, unknownKind } from './processor.js';
import { lockCheckpointRow, moveCheckpoint, moveCheckpointIfAt } from './projection-checkpoints.js';
import type { LogReader, Page } from './projection-reader.js';
import type { RunningStatus } from './worker-state.js';

/** The stored checkpoint is not where the batch was read after: nothing was written; read again. */
export class CheckpointMoved extends Error {
  constructor(
    /** Where the row is now, when it moved; unset when it moved and came back. */
    readonly stored?: Checkpoint,
    /** An operator or a dead letter elsewhere set it failed: the worker stops. */
    readonly storedFailed = false,
  ) {
    super('The projection checkpoint moved');
  }
}

/** Where a worker writes: the live read model, or a rebuild's copies of its tables. */
export interface WorkerTarget {
  /** The row in projection_checkpoints. */
  checkpointName: string;
  /** A schema searched before `public`: a rebuild's shadow tables. */
  schema?: string;
}

/**
 * Writes batches in transactions that lock the checkpoint row, compare it with where the batch was read
 * (compare-and-set), write, and move it: a batch is applied once even if two processes race.
 */
export class BatchTransactions {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      processor: Processor;
      writesTo: WorkerTarget;
      reads: (type: string) => boolean;
      /** Stored events as the handler reads them: personal data decrypted, lifted to the current schema. */
      decryptAndUpcast: (events: readonly PersistedEvent[]) => Promise<PersistedEvent[]>;
    },
  ) {}

  /** One transaction: the checkpoint is still `from` (where the batch was read), the writes, the new checkpoint. */
  async write(
    events: PersistedEvent[],
    { from, last, status }: { from: Checkpoint; last: Checkpoint; status: RunningStatus },
  ): Promise<void> {
    const { processor, writesTo, reads, decryptAndUpcast } = this.deps;
    const relevant = events.filter((event) => reads(event.type));
    if (relevant.length === 0) return this.passOver(from, last, status);
    // Before the transaction: its key lookup never waits for a pooled connection while this one holds another.
    const decrypted = processor.handler.withoutData
      ? relevant
      : await blamingEvents(relevant, () => decryptAndUpcast(relevant));
    const moved = { from, last, status };
    switch (processor.kind) {
      case 'projection':
        return this.inTransaction(moved, (tx) =>
          blamingEvents(relevant, () => processor.handler.apply(decrypted, tx)),
        );
      case 'reactor':
        // Before the transaction too, so a reactor's commands never hold the horizon back; a rebuild does not react.
        if (!writesTo.schema)
          await blamingEvents(relevant, () => processor.handler.react(decrypted));
        return this.inTransaction(moved, async () => {});
      case 'consumer':
        return this.inTransaction(moved, (tx) =>
          blamingEvents(relevant, () => processor.handler.consume(decrypted, tx)),
        );
      default:
        return unknownKind(processor);
    }
  }

  /** One batch's transaction: claim the checkpoint at `from`, do `work`, move it to `last`. */
  private async inTransaction(
    { from, last, status }: { from: Checkpoint; last: Checkpoint; status: RunningStatus },
    work: (tx: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await this.begin(tx, from);
      await work(tx);
      await moveCheckpoint(tx, this.deps.writesTo.checkpointName, last, status);
    });
  }

  /**
   * One transaction over pages from `first` on, for up to `maxMs` or until `stopping()`: the read model's `open`
   * writer gets each page (the next is read meanwhile) and writes what it kept in `finish`. Returns the read in
   * flight.
   */
  async writePages(
    first: Page,
    {
      open,
      reader,
      pageSize,
      maxMs,
      status,
      stopping,
    }: {
      open: (tx: EntityManager) => ProjectionTransaction;
      reader: LogReader;
      pageSize: number;
      maxMs: number;
      status: RunningStatus;
      stopping: () => boolean;
    },
  ): Promise<{ last: Checkpoint; applied: number; next?: Promise<Page> }> {
    const { dataSource, processor, writesTo, reads, decryptAndUpcast } = this.deps;
    const started = Date.now();
    let applied = 0;
    let last = first.after;
    let next: Promise<Page> | undefined;
    let firstRelevant: PersistedEvent | undefined;
    let lastRelevant: PersistedEvent | undefined;
    // A failure names the transaction's first and last event of this projection: isolating it covers them all.
    const blamed = () =>
      firstRelevant === lastRelevant ? [lastRelevant!] : [firstRelevant!, lastRelevant!];
    await dataSource.transaction(async (tx) => {
      await this.begin(tx, first.after);
      const writer = open(tx);
      let page = first;
      for (;;) {
        const end = page.events[page.events.length - 1].checkpoint;
        // Pages of the largest batch: each page costs statements and round trips; memory stays flat at two pages.
        next = page.events.length === page.size ? reader.read(end, pageSize) : undefined;
        next?.catch(() => undefined);
        const relevant = page.events.filter((event) => reads(event.type));
        if (relevant.length > 0) {
          firstRelevant ??= relevant[0];
          lastRelevant = relevant[relevant.length - 1];
          await blamingEvents(blamed(), async () =>
            writer.write(
              processor.handler.withoutData ? relevant : await decryptAndUpcast(relevant),
            ),
          );
        }
        applied += page.events.length;
        last = end;
        if (!next || stopping() || Date.now() - started >= maxMs) break;
        page = await next;
        next = undefined;
        if (page.events.length === 0) break;
      }
      if (lastRelevant) await blamingEvents(blamed(), () => writer.finish());
      await moveCheckpoint(tx, writesTo.checkpointName, last, status);
    });
    return { last, applied, next };
  }

  /** A batch with none of this projection's events only moves the checkpoint: one statement, no transaction. */
  private async passOver(from: Checkpoint, last: Checkpoint, status: RunningStatus): Promise<void> {
    const { dataSource, writesTo } = this.deps;
    const moved = await moveCheckpointIfAt(dataSource, writesTo.checkpointName, {
      from,
      to: last,
      status,
    });
    if (moved) return;
    await dataSource.transaction((tx) => this.claim(tx, from));
    throw new CheckpointMoved(); // claim found nothing wrong: the row moved and came back; read again
  }

  /** Opens a read-model transaction on the checkpoint it was read after. */
  private async begin(tx: EntityManager, from: Checkpoint): Promise<void> {
    const { schema } = this.deps.writesTo;
    if (schema) await tx.query(`SET LOCAL search_path = ${schema}, public`);
    // A read model is derived data: a crash may lose the last commits, but writes and checkpoint together.
    await this.claim(tx, from, { asyncCommit: true });
  }

  /** Locks the checkpoint row, which must still be `from`: a batch written by anyone since is not applied again. */
  private async claim(
    tx: EntityManager,
    from: Checkpoint,
    options?: { asyncCommit: boolean },
  ): Promise<void> {
    const stored = await lockCheckpointRow(tx, this.deps.writesTo.checkpointName, options);
    if (stored.status === 'failed') throw new CheckpointMoved(undefined, true);
    if (compareCheckpoints(stored.checkpoint, from) !== 0)
      throw new CheckpointMoved(stored.checkpoint);
  }
}
