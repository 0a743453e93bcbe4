import 'reflect-metadata';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { BENCH_APP_ENV } from '../harness/app-env.js';

/**
 * The projections' half of a split deployment: the app with every projection (RUN_PROJECTIONS=true) and no HTTP
 * traffic, beside a serving app with RUN_PROJECTIONS=false. Long-lived, unlike the other children: it says
 * `ready`, answers `cpu` with its CPU time so far (µs), and closes on `stop`.
 */
const databaseUrl = process.argv[2];
const running = await createApp({
  ...loadConfig({ ...BENCH_APP_ENV, RUN_PROJECTIONS: 'true' }),
  databaseUrl,
});
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuUs: user + system });
  } else if (message === 'stop') {
    void running.close().then(() => process.exit(0));
  }
});
process.send!('ready');
