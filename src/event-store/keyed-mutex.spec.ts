import { DatabaseBudget } from '../database/database-budget.js';
import { DatabaseUnavailable } from '../database/database-errors.js';
import { KeyedMutex } from './keyed-mutex.js';

/** Work that runs until `end()` is called; `started` tells whether it began. */
function held() {
  let end!: () => void;
  const state = { started: false, end: () => end() };
  const work = () => {
    state.started = true;
    return new Promise<void>((resolve) => (end = resolve));
  };
  return { state, work };
}

describe('KeyedMutex', () => {
  it('runs the work on one key one after the other, and on other keys meanwhile', async () => {
    const mutex = new KeyedMutex();
    const first = held();
    const second = held();
    const other = held();
    const runs = [
      mutex.run('a', first.work),
      mutex.run('a', second.work),
      mutex.run('b', other.work),
    ];
    await Promise.resolve();
    expect([first.state.started, second.state.started, other.state.started]).toEqual([
      true,
      false,
      true,
    ]);
    first.state.end();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.state.started).toBe(true);
    second.state.end();
    other.state.end();
    await Promise.all(runs);
  });

  it('a wait given up on never runs its work; the work behind it still waits for the work before', async () => {
    // Only the first wait (the second run's) is bounded.
    let giveUp: ((error: Error) => void) | undefined;
    const mutex = new KeyedMutex((turn) =>
      giveUp ? turn : Promise.race([turn, new Promise<void>((_, reject) => (giveUp = reject))]),
    );
    const first = held();
    const second = held();
    const third = held();
    const firstRun = mutex.run('a', first.work);
    const secondRun = mutex.run('a', second.work);
    const thirdRun = mutex.run('a', third.work);
    giveUp!(new Error('out of time'));
    await expect(secondRun).rejects.toThrow('out of time');
    await new Promise((resolve) => setImmediate(resolve));
    expect(third.state.started).toBe(false);
    first.state.end();
    await firstRun;
    await new Promise((resolve) => setImmediate(resolve));
    expect([second.state.started, third.state.started]).toEqual([false, true]);
    third.state.end();
    await thirdRun;
  });

  it("a request queued behind work bounded by no budget (a saga's) gives up when its budget runs out", async () => {
    const mutex = new KeyedMutex((turn) => DatabaseBudget.current()?.waitFor(turn) ?? turn);
    const stuck = held();
    const queued = held();
    const background = mutex.run('account', stuck.work);
    const budget = new DatabaseBudget(200);
    const started = Date.now();
    const request = budget.run(() => mutex.run('account', queued.work));
    await expect(request).rejects.toBeInstanceOf(DatabaseUnavailable);
    await expect(budget.expired).rejects.toBeInstanceOf(DatabaseUnavailable);
    expect(Date.now() - started).toBeLessThan(350);
    expect(queued.state.started).toBe(false);
    budget.close();
    stuck.state.end();
    await background;
  });
});
