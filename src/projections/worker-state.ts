import type { Checkpoint } from '../event-store/event-store.types.js';
import { reached } from './checkpoint.js';

/** The status a worker stores while it applies batches. */
export type RunningStatus = 'catching-up' | 'live';

/**
 * A worker's lifecycle; only the functions below move it.
 * See [docs/architecture.md#projections](../../docs/architecture.md#projections).
 */
export type WorkerState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'catching-up' }
  | { readonly kind: 'live' }
  /** A stop was asked for while a batch may be in flight: `was` is the status that batch stores. */
  | { readonly kind: 'stopping'; readonly was: 'idle' | RunningStatus }
  | { readonly kind: 'stopped' }
  /** Dead-lettered an event or found its stored status failed: only an operator resumes it. */
  | { readonly kind: 'failed' };

export type WorkerStateKind = WorkerState['kind'];

export const IDLE: WorkerState = { kind: 'idle' };

/** Neither wake() nor the run loop goes on: stopping, stopped or failed. */
export const isHalted = (state: WorkerState): boolean =>
  state.kind === 'stopping' || state.kind === 'stopped' || state.kind === 'failed';

/** Applying batches: wake() is enough; any other state needs resume(). */
export const isRunning = (state: WorkerState): boolean =>
  state.kind === 'catching-up' || state.kind === 'live';

/** The status the next batch stores: live stays live, anything else is catching up. */
export const runningStatusOf = (state: WorkerState): RunningStatus =>
  state.kind === 'live' || (state.kind === 'stopping' && state.was === 'live')
    ? 'live'
    : 'catching-up';

/** A batch committed with `status`; a stop asked for meanwhile still holds. */
export function batchCommitted(state: WorkerState, status: RunningStatus): WorkerState {
  switch (state.kind) {
    case 'stopping':
      return { kind: 'stopping', was: status };
    case 'failed':
    case 'stopped':
      return state;
    case 'idle':
    case 'catching-up':
    case 'live':
      return { kind: status };
    default:
      return unreachable(state);
  }
}

export function stopRequested(state: WorkerState): WorkerState {
  switch (state.kind) {
    case 'idle':
    case 'catching-up':
    case 'live':
      return { kind: 'stopping', was: state.kind };
    case 'stopping':
    case 'stopped':
    case 'failed':
      return state;
    default:
      return unreachable(state);
  }
}

/** The batch in flight has ended: a failure stays, anything else is stopped. */
export const stopCompleted = (state: WorkerState): WorkerState =>
  state.kind === 'failed' ? state : { kind: 'stopped' };

/**
 * The runner read the stored status after someone else wrote it (an operator's retry, a rebuild's swap): a live
 * worker whose row now says catching-up runs as catching up, so its next run that reaches the head stores live.
 */
export const storedStatusRead = (state: WorkerState, stored: RunningStatus): WorkerState =>
  state.kind === 'live' && stored === 'catching-up' ? { kind: 'catching-up' } : state;

export const halted = (): WorkerState => ({ kind: 'failed' });

export const resumed = (): WorkerState => ({ kind: 'catching-up' });

/** What the worker remembers of failures to decide the next one: see afterFailure. */
export interface Recovery {
  /** Infrastructure failures in a row (a lost connection): the backoff grows with them. */
  readonly outages: number;
  /** While set, events up to this checkpoint are applied one relevant event per transaction. */
  readonly isolateUntil?: Checkpoint;
  /** The event that failed on its own, and how often. */
  readonly suspect?: { readonly eventId: string; readonly attempts: number };
}

export const HEALTHY: Recovery = { outages: 0 };

export interface RetryPolicy {
  /** Attempts at one event before it is dead-lettered. */
  retryAttempts: number;
  retryBaseMs: number;
}

/** A failure as the worker saw it: `relevant` only when the handler (or decrypting its events) threw. */
export type Failure =
  | { readonly kind: 'infrastructure' }
  | {
      readonly kind: 'handler';
      readonly relevant: readonly { eventId: string; checkpoint: Checkpoint }[];
    };

export type NextStep =
  /** Run again after `delayMs`; `report`: record the error (isolating a batch is not one). */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly report: boolean }
  | { readonly kind: 'dead-letter'; readonly eventId: string; readonly attempts: number };

const MAX_BACKOFF_MS = 30_000;

/**
 * Lost connections back off forever; a failing batch is narrowed to one event, which is retried with backoff,
 * then dead-lettered.
 */
export function afterFailure(
  recovery: Recovery,
  failure: Failure,
  policy: RetryPolicy,
): { recovery: Recovery; next: NextStep } {
  if (failure.kind === 'infrastructure') {
    const outages = recovery.outages + 1;
    const delayMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(outages, 12));
    return { recovery: { ...recovery, outages }, next: { kind: 'retry', delayMs, report: true } };
  }
  const { relevant } = failure;
  if (relevant.length > 1 || !recovery.isolateUntil) {
    return {
      recovery: { ...recovery, isolateUntil: relevant.at(-1)!.checkpoint },
      next: { kind: 'retry', delayMs: 0, report: false },
    };
  }
  const [{ eventId }] = relevant;
  const attempts = recovery.suspect?.eventId === eventId ? recovery.suspect.attempts + 1 : 1;
  const next: NextStep =
    attempts < policy.retryAttempts
      ? { kind: 'retry', delayMs: policy.retryBaseMs * 2 ** (attempts - 1), report: true }
      : { kind: 'dead-letter', eventId, attempts };
  return { recovery: { ...recovery, suspect: { eventId, attempts } }, next };
}

/** A batch up to `last` committed: isolation ends once past its end, the suspect once applied. */
export function afterProgress(
  recovery: Recovery,
  applied: readonly { eventId: string }[],
  last: Checkpoint,
): Recovery {
  const { isolateUntil, suspect } = recovery;
  const isolationOver = isolateUntil !== undefined && reached(last, isolateUntil);
  const suspectApplied =
    suspect !== undefined && applied.some((e) => e.eventId === suspect.eventId);
  if (!isolationOver && !suspectApplied) return recovery;
  return {
    outages: recovery.outages,
    isolateUntil: isolationOver ? undefined : isolateUntil,
    suspect: suspectApplied ? undefined : suspect,
  };
}

/** A run reached the head: the connection is fine again. */
export const afterRun = (recovery: Recovery): Recovery =>
  recovery.outages === 0 ? recovery : { ...recovery, outages: 0 };

/** An operator resumed the worker: it starts over on whatever it stopped at. */
export const afterResume = (recovery: Recovery): Recovery => ({ outages: recovery.outages });

function unreachable(state: never): never {
  throw new Error(`Unknown worker state ${JSON.stringify(state)}`);
}
