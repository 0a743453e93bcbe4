// The application in a child process, for a test that must see whether the process survives; it sends its port
// to the parent once it listens. Run with --import ./test/support/ts-register.mjs.
import 'reflect-metadata';
import { createApp } from '../../src/app.factory.js';
import type { AppConfig } from '../../src/config/config.js';
import { testConfig } from './test-app.js';

async function main() {
  // Settings a test gives its child, as JSON: e.g. a short DATABASE_TIMEOUT_MS.
  const overrides = JSON.parse(process.env.CHRONICLE_TEST_OVERRIDES ?? '{}') as Partial<AppConfig>;
  const running = await createApp(testConfig({ logLevel: 'warn', ...overrides }));
  await running.app.listen(0, '127.0.0.1');
  const { port } = running.app.getHttpServer().address() as { port: number };
  process.send!({ port });
  // 'close': an intentional shutdown, as main.ts does on SIGTERM.
  process.on('message', (message) => {
    if (message === 'close') void running.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `app child failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
