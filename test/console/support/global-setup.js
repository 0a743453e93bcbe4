// The console suite's one app: the test database (as for `npm test`: a throwaway database on DATABASE_URL's server,
// or an embedded PostgreSQL), then the real application, as built (app.child.mjs: run `npm run build` first, as
// `npm run test:console` does), in a child process listening on a free port of 127.0.0.1. Its address goes to the
// suites as CHRONICLE_CONSOLE_URL.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import databaseSetup from '../../support/global-setup.js';

const CHILD = fileURLToPath(new URL('./app.child.mjs', import.meta.url));

export default async function globalSetup() {
  await databaseSetup();
  let output = '';
  const child = fork(CHILD, [], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '' },
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
