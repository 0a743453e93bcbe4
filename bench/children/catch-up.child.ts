import 'reflect-metadata';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/config.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.service.js';
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
   * Largest V8 heap in use right after a full (mark-compact) collection during the catch-up: the live set,
   * what the process retains, as opposed to the garbage V8 lets accumulate before it collects.
   */
  peakLiveHeapMiB: number;
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
  const live = { peak: 0, fullGcs: 0 };
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        (entry as { detail?: { kind?: number } }).detail?.kind !==
        constants.NODE_PERFORMANCE_GC_MAJOR
      )
        continue;
      live.fullGcs += 1;
      live.peak = Math.max(live.peak, process.memoryUsage().heapUsed / 2 ** 20);
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
  await app.close();
  return {
    reachedHead,
    seconds,
    peakRssMiB: peak,
    rssBeforeMiB,
    peakHeapUsedMiB: heap.used,
    peakHeapTotalMiB: heap.total,
    peakLiveHeapMiB: live.peak,
    fullGcs: live.fullGcs,
  };
});
