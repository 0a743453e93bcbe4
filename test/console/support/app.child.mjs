// The console suite's app: the build (dist/, which also holds dist/console) rather than the TypeScript sources,
// started in 5 s instead of the 30 s that transpiling every source file on the fly takes; `npm run test:console`
// builds first (incrementally). Configured as test/support/test-app.ts configures the e2e suites' apps, on the
// database the global setup created; sends its port to the parent once it listens.
import 'reflect-metadata';
import { createApp } from '../../../dist/app.factory.js';
import { loadConfig } from '../../../dist/config/config.js';

async function main() {
  const running = await createApp({
    ...loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PROJECTION_POLL_MS: '200',
      PROJECTION_RETRY_ATTEMPTS: '3',
      PROJECTION_RETRY_BASE_MS: '20',
      PROJECTION_LEASE_RETRY_MS: '200',
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      RATE_LIMIT_EXPENSIVE_PER_MINUTE: '10000000',
    }),
    databaseUrl: process.env.CHRONICLE_TEST_DATABASE_URL,
  });
  await running.app.listen(0, '127.0.0.1');
  process.send({ port: running.app.getHttpServer().address().port });
  process.on('message', (message) => {
    if (message === 'close') void running.close().then(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(
    `console app failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
