// The console suite's one app: the test database (as for `npm test`: a throwaway database on DATABASE_URL's server,
// or an embedded PostgreSQL), then the real application in a child process (test/support/app.child.ts, the
// TypeScript sources run directly), listening on a free port of 127.0.0.1. Its address goes to the suites as
// CHRONICLE_CONSOLE_URL.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import databaseSetup from '../../support/global-setup.js';

const CHILD = fileURLToPath(new URL('../../support/app.child.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../../support/ts-register.mjs', import.meta.url));

export default async function globalSetup() {
  await databaseSetup();
  let output = '';
  const child = fork(CHILD, [], {
    execArgv: ['--import', REGISTER],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      // Lag samples every 5 s are the console's chart; the rest as the e2e suites run the app.
      CHRONICLE_TEST_OVERRIDES: process.env.CHRONICLE_TEST_OVERRIDES ?? '{}',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `the console suite's app exited (${code ?? signal}) before listening:\n${output}`,
        ),
      ),
    );
  });
  child.removeAllListeners('exit');
  process.env.CHRONICLE_CONSOLE_URL = `http://127.0.0.1:${port}`;
  globalThis.__CHRONICLE_CONSOLE_APP__ = { child, output: () => output };
  process.stdout.write(`Console suite: the app listens on ${process.env.CHRONICLE_CONSOLE_URL}\n`);
}
