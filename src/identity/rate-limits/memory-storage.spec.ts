import { jest } from '@jest/globals';
import { MemoryRateLimitStorage } from './memory-storage.js';

describe('MemoryRateLimitStorage', () => {
  let storage: MemoryRateLimitStorage;
  // A frozen clock: on a busy machine, a real sleep past one deadline can also pass the next.
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    storage = new MemoryRateLimitStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });
  const sleep = (ms: number) => jest.advanceTimersByTime(ms);

  const hit = (key = 'principal:alice', ttl = 60_000, limit = 2, block = 60_000) =>
    storage.increment(key, ttl, limit, block);

  it('counts hits in a window, then blocks past the limit for the block duration', async () => {
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 60 });
    // Refused hits are not counted.
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true });
    expect(await hit('principal:bob')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts a new window once the window and the block are over', async () => {
    await hit('ip:a', 50, 1, 100);
    expect(await hit('ip:a', 50, 1, 100)).toMatchObject({ isBlocked: true });
    sleep(60);
    // The window is over, the block is not.
    expect(await hit('ip:a', 50, 1, 100)).toMatchObject({ isBlocked: true });
    sleep(60);
    expect(await hit('ip:a', 50, 1, 100)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('blocks until the window ends when the block duration is 0', async () => {
    await hit('ip:b', 80, 1, 0);
    expect(await hit('ip:b', 80, 1, 0)).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    sleep(100);
    expect(await hit('ip:b', 80, 1, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
