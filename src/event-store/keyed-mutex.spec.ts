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
});
