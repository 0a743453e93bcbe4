import type { Pool } from 'pg';
import { type AppendOutcome, onConnection, type PendingAppend, runAppends } from './append-statement.js';

interface Waiting {
  readonly append: PendingAppend;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Statements in flight at once; appends that arrive meanwhile wait and go together in the next one. */
  readonly statements?: number;
  /** Events per statement, so one flush stays one reasonable statement. */
  readonly maxEvents?: number;
}

/**
 * Group commit of concurrent appends: appends that arrive while statements are in flight go out together, one
 * statement and one commit for all of them (natural batching: no timer, a lone append goes at once). Each append
 * keeps its own expected version and fails alone; its caller hears back only after the commit.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private inFlight = 0;
  /** Streams in a statement in flight: a second append to one waits, so a stream is never twice in a statement. */
  private readonly busy = new Set<string>();
  private readonly statements: number;
  private readonly maxEvents: number;

  constructor(
    private readonly pool: Pool,
    { statements = 2, maxEvents = 1000 }: GroupCommitOptions = {},
  ) {
    this.statements = statements;
    this.maxEvents = maxEvents;
  }

  append(append: PendingAppend): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.statements && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const { append } of batch) this.busy.delete(append.streamId);
        this.flush();
      });
    }
  }

  /** The oldest appends whose streams are free, in arrival order; the others keep their place. */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    let events = 0;
    for (const waiting of this.queue) {
      const { streamId, eventIds } = waiting.append;
      const fits = batch.length === 0 || events + eventIds.length <= this.maxEvents;
      if (this.busy.has(streamId) || !fits) rest.push(waiting);
      else {
        batch.push(waiting);
        this.busy.add(streamId);
        events += eventIds.length;
      }
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((w) => w.append));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // One append's refusal (a reused event id, say) fails the whole statement: each goes again alone, so that
      // only its own caller hears of it.
      await Promise.all(
        batch.map(async (waiting) => {
          try {
            waiting.resolve((await this.run([waiting.append]))[0]);
          } catch (alone) {
            waiting.reject(alone);
          }
        }),
      );
    }
  }

  private run(appends: PendingAppend[]): Promise<AppendOutcome[]> {
    return onConnection(this.pool, (client) => runAppends(client, appends));
  }
}
