import type { Pool } from 'pg';
import {
  type AppendOutcome,
  onConnection,
  type PendingAppend,
  runAppends,
} from './append-statement.js';

interface Waiting {
  readonly append: PendingAppend;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /**
   * Statements in flight at once; appends that arrive meanwhile wait and go together in the next one. Default: 2
   * (fewer, larger commits: 20 callers appended ~1.8x one INSERT per call with 2, ~1.45x with 4, bench/findings.md),
   * at most half the pool, so other queries always find a connection.
   */
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
  /** The head a statement left, for streams with appends still waiting: those expecting less are answered at once. */
  private readonly heads = new Map<string, number>();
  /** Appends in the queue per stream, counted as they enter and leave it: a statement's completion asks it per append. */
  private readonly queued = new Map<string, number>();
  private readonly statements: number;
  private readonly maxEvents: number;

  constructor(
    private readonly pool: Pool,
    { statements, maxEvents = 1000 }: GroupCommitOptions = {},
  ) {
    this.statements = statements ?? Math.max(1, Math.min(2, Math.floor(pool.options.max / 2)));
    this.maxEvents = maxEvents;
  }

  append(append: PendingAppend): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.count(append.streamId, 1);
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.statements && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.send(batch).then((outcomes) => {
        this.inFlight--;
        batch.forEach(({ append }, i) => {
          this.busy.delete(append.streamId);
          const outcome = outcomes[i];
          const head = outcome?.appended ? outcome.appended.at(-1)!.stream_version : outcome?.head;
          if (head !== undefined && this.queued.has(append.streamId))
            this.heads.set(append.streamId, head);
          else this.heads.delete(append.streamId);
        });
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
      const { streamId, eventIds, expected, idsGiven } = waiting.append;
      // A head only moves up: an append expecting less than a head already seen is a conflict, and one with ids of
      // its own making cannot be a retry of a stored one, so it is answered without a statement (a hot stream's
      // writers would otherwise take turns failing one statement at a time).
      const seen = this.heads.get(streamId);
      if (seen !== undefined && expected !== null && expected < seen && !idsGiven) {
        this.count(streamId, -1);
        waiting.resolve({ head: seen, storedBefore: false, logged: undefined });
        continue;
      }
      const fits = batch.length === 0 || events + eventIds.length <= this.maxEvents;
      if (this.busy.has(streamId) || !fits) rest.push(waiting);
      else {
        batch.push(waiting);
        this.count(streamId, -1);
        this.busy.add(streamId);
        events += eventIds.length;
      }
    }
    this.queue = rest;
    return batch;
  }

  private count(streamId: string, by: 1 | -1): void {
    const queued = (this.queued.get(streamId) ?? 0) + by;
    if (queued === 0) this.queued.delete(streamId);
    else this.queued.set(streamId, queued);
  }

  /** Answers every caller of the batch; the outcomes, undefined for an append that failed. */
  private async send(batch: Waiting[]): Promise<(AppendOutcome | undefined)[]> {
    try {
      const outcomes = await this.run(batch.map((w) => w.append));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
      return outcomes;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return [undefined];
      }
      // One append's refusal (a reused event id, say) fails the whole statement: each goes again alone, so that
      // only its own caller hears of it.
      return Promise.all(
        batch.map(async (waiting) => {
          try {
            const [outcome] = await this.run([waiting.append]);
            waiting.resolve(outcome);
            return outcome;
          } catch (alone) {
            waiting.reject(alone);
            return undefined;
          }
        }),
      );
    }
  }

  private run(appends: PendingAppend[]): Promise<AppendOutcome[]> {
    return onConnection(this.pool, (client) => runAppends(client, appends));
  }
}
