import type { Checkpoint } from '../event-store/event-store.types.js';
import {
  afterFailure,
  afterProgress,
  afterResume,
  afterRun,
  batchCommitted,
  HEALTHY,
  IDLE,
  isHalted,
  isRunning,
  type Recovery,
  resumed,
  runningStatusOf,
  stopCompleted,
  stopRequested,
  storedStatusRead,
  type WorkerState,
} from './worker-state.js';

const at = (position: number): Checkpoint => ({ transactionId: String(100 + position), position });
const event = (position: number) => ({ eventId: `e${position}`, checkpoint: at(position) });
const policy = { retryAttempts: 3, retryBaseMs: 10 };

describe('worker state', () => {
  it('goes from idle to catching up to live as batches commit', () => {
    let state: WorkerState = IDLE;
    expect(runningStatusOf(state)).toBe('catching-up');
    state = batchCommitted(state, runningStatusOf(state));
    expect(state).toEqual({ kind: 'catching-up' });
    state = batchCommitted(state, 'live');
    expect(state).toEqual({ kind: 'live' });
    expect(runningStatusOf(state)).toBe('live');
    expect(isRunning(state)).toBe(true);
  });

  it('keeps stopping while the batch in flight commits, with the status it stored', () => {
    let state = stopRequested({ kind: 'live' });
    expect(state).toEqual({ kind: 'stopping', was: 'live' });
    expect(isHalted(state)).toBe(true);
    expect(runningStatusOf(state)).toBe('live');
    state = batchCommitted(state, 'catching-up');
    expect(state).toEqual({ kind: 'stopping', was: 'catching-up' });
    expect(stopCompleted(state)).toEqual({ kind: 'stopped' });
  });

  it('stays failed through a stop, and only resume() leaves it', () => {
    const failed: WorkerState = { kind: 'failed' };
    expect(stopRequested(failed)).toBe(failed);
    expect(stopCompleted(failed)).toBe(failed);
    expect(batchCommitted(failed, 'live')).toBe(failed);
    expect(isHalted(failed)).toBe(true);
    expect(isRunning(failed)).toBe(false);
    expect(resumed()).toEqual({ kind: 'catching-up' });
  });

  it('follows a stored catching-up while live, so the next run that reaches the head stores live again', () => {
    expect(storedStatusRead({ kind: 'live' }, 'catching-up')).toEqual({ kind: 'catching-up' });
    expect(runningStatusOf(storedStatusRead({ kind: 'live' }, 'catching-up'))).toBe('catching-up');
    const others: WorkerState[] = [
      IDLE,
      { kind: 'catching-up' },
      { kind: 'failed' },
      { kind: 'stopped' },
    ];
    for (const state of others) expect(storedStatusRead(state, 'catching-up')).toBe(state);
    expect(storedStatusRead({ kind: 'live' }, 'live')).toEqual({ kind: 'live' });
  });

  it('needs resume() unless catching up or live', () => {
    const kinds: WorkerState[] = [
      IDLE,
      { kind: 'stopping', was: 'live' },
      { kind: 'stopped' },
      { kind: 'failed' },
    ];
    expect(kinds.map(isRunning)).toEqual([false, false, false, false]);
  });
});

describe('recovery from failures', () => {
  it('backs off lost connections exponentially, capped at 30 s, until a run reaches the head', () => {
    let recovery: Recovery = HEALTHY;
    const delays: number[] = [];
    for (let i = 0; i < 15; i++) {
      const step = afterFailure(recovery, { kind: 'infrastructure' }, policy);
      recovery = step.recovery;
      if (step.next.kind === 'retry') delays.push(step.next.delayMs);
    }
    expect(delays.slice(0, 4)).toEqual([200, 400, 800, 1600]);
    expect(Math.max(...delays)).toBe(30_000);
    expect(afterRun(recovery).outages).toBe(0);
  });

  it('narrows a failing batch to one event, retries it with backoff, then dead-letters it', () => {
    let step = afterFailure(HEALTHY, { kind: 'handler', relevant: [event(1), event(2)] }, policy);
    expect(step.next).toEqual({ kind: 'retry', delayMs: 0, report: false });
    expect(step.recovery.isolateUntil).toEqual(at(2));

    const steps = [];
    for (let i = 0; i < 3; i++) {
      step = afterFailure(step.recovery, { kind: 'handler', relevant: [event(2)] }, policy);
      steps.push(step.next);
    }
    expect(steps).toEqual([
      { kind: 'retry', delayMs: 10, report: true },
      { kind: 'retry', delayMs: 20, report: true },
      { kind: 'dead-letter', eventId: 'e2', attempts: 3 },
    ]);
  });

  it('isolates first even when the first failure is of one event', () => {
    const step = afterFailure(HEALTHY, { kind: 'handler', relevant: [event(5)] }, policy);
    expect(step.next).toEqual({ kind: 'retry', delayMs: 0, report: false });
    expect(step.recovery).toEqual({ outages: 0, isolateUntil: at(5) });
  });

  it('counts attempts per event: another suspect starts again at one', () => {
    const isolating: Recovery = {
      outages: 0,
      isolateUntil: at(9),
      suspect: { eventId: 'e3', attempts: 2 },
    };
    const step = afterFailure(isolating, { kind: 'handler', relevant: [event(4)] }, policy);
    expect(step.recovery.suspect).toEqual({ eventId: 'e4', attempts: 1 });
  });

  it('ends the isolation past its end, and forgets the suspect once applied', () => {
    const isolating: Recovery = {
      outages: 1,
      isolateUntil: at(3),
      suspect: { eventId: 'e2', attempts: 2 },
    };
    expect(afterProgress(isolating, [event(1)], at(1))).toBe(isolating);
    const afterSuspect = afterProgress(isolating, [event(2)], at(2));
    expect(afterSuspect.suspect).toBeUndefined();
    expect(afterSuspect.isolateUntil).toEqual(at(3));
    expect(afterProgress(afterSuspect, [event(3)], at(3)).isolateUntil).toBeUndefined();
    expect(afterResume(isolating)).toEqual({ outages: 1 });
  });
});
