import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import type { BENCH_APP_ENV } from '../harness/app-env.js';

/**
 * One app process of a scaled-out deployment (bench/scenarios/scale-out.ts), listening on a port of its own.
 * Long-lived: it sends its port once listening, answers `cpu` with its CPU time so far (µs) and closes on `stop`. argv: the database URL, RUN_PROJECTIONS and
 * the parent's BENCH_APP_ENV (its identity provider's key, made per process, verifies the parent's tokens).
 */
const [databaseUrl, runProjections, env] = process.argv.slice(2);
const running = await createApp({
  ...loadConfig({ ...(JSON.parse(env) as typeof BENCH_APP_ENV), RUN_PROJECTIONS: runProjections }),
  databaseUrl,
});
await running.app.listen(0, '127.0.0.1');
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuUs: user + system });
  } else if (message === 'stop') void running.close().then(() => process.exit(0));
});
process.send!({ port: (running.app.getHttpServer().address() as AddressInfo).port });
