import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PROFILE_DIR } from './children.js';

/**
 * BENCH_CPU_PROF=<label> profiles the measurements of ours labelled so (in this process, through the inspector)
 * and writes .data/bench-profiles/<label>-<n>.cpuprofile, to open in Chrome DevTools or speedscope.
 */
export async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (process.env.BENCH_CPU_PROF !== label) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${label}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  }
}
