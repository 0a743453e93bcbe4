import 'reflect-metadata';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/config.js';
import { BENCH_AUTH_ENV } from '../harness/identity.js';
import { ProjectionRunner } from '../../src/projections/index.js';
import { childMain, peakRssMiB } from '../harness/children.js';
import { BENCH_MASTER_KEY } from '../harness/fixtures.js';

export interface CatchUpInput {
  databaseUrl: string;
  /** Global position of the last event in the log. */
  head: number;
  capSeconds: number;
}

export interface CatchUpOutput {
  reachedHead: boolean;
  seconds: number;
  peakRssMiB: number;
  /** Peak RSS once the app was built, before the catch-up began. */
  rssBeforeMiB: number;
  /** Largest V8 heap seen (sampled every 100 ms): used, and reserved by V8. */
  peakHeapUsedMiB: number;
  peakHeapTotalMiB: number;
  /**
   * V8 heap in use once the catch-up is done, after a full collection (the child runs with --expose-gc): what the
   * process retains, as opposed to the garbage V8 lets accumulate between full collections.
   */
  retainedHeapMiB: number;
  /** Full (mark-compact) collections V8 ran during the catch-up. */
  fullGcs: number;
}

/**
 * The product's module graph; this instance runs the accounts projection alone (RUN_PROJECTIONS), the clock starts at app.init(), whose bootstrap hook starts
 * the ProjectionRunner, and stops when the accounts projection's checkpoint reaches the last event (or at the cap).
 */
void childMain<CatchUpInput, CatchUpOutput>(async ({ databaseUrl, head, capSeconds }) => {
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      RUN_PROJECTIONS: 'accounts',
      CHRONICLE_MASTER_KEY: BENCH_MASTER_KEY,
      ...BENCH_AUTH_ENV,
    }),
    databaseUrl,
  };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: ['error'],
    bodyParser: false,
  });
  const rssBeforeMiB = peakRssMiB();
  const heap = { used: 0, total: 0 };
  const sample = setInterval(() => {
    const { heapUsed, heapTotal } = process.memoryUsage();
    heap.used = Math.max(heap.used, heapUsed / 2 ** 20);
    heap.total = Math.max(heap.total, heapTotal / 2 ** 20);
  }, 100);
  let fullGcs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as { detail?: { kind?: number } };
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs += 1;
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  await app.init();
  const reachedHead = await app
    .get(ProjectionRunner)
    .waitFor(head, ['accounts'], capSeconds * 1000);
  const seconds = (performance.now() - start) / 1000;
  const peak = peakRssMiB();
  clearInterval(sample);
  gcs.disconnect();
  (globalThis as { gc?: () => void }).gc?.();
  const retainedHeapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  await app.close();
  return {
    reachedHead,
    seconds,
    peakRssMiB: peak,
    rssBeforeMiB,
    peakHeapUsedMiB: heap.used,
    peakHeapTotalMiB: heap.total,
    retainedHeapMiB,
    fullGcs,
  };
});
