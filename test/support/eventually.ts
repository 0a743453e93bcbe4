import { setTimeout as sleep } from 'node:timers/promises';

/** Retries an assertion until it passes or the time is up (then its last failure is the test's). */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}
