import databaseTeardown from '../../support/global-teardown.js';

export default async function globalTeardown() {
  const app = globalThis.__CHRONICLE_CONSOLE_APP__;
  if (app && app.child.exitCode === null && app.child.signalCode === null) {
    const exited = new Promise((resolve) => app.child.once('exit', resolve));
    app.child.kill('SIGTERM');
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    if (!stopped) app.child.kill('SIGKILL');
  }
  await databaseTeardown();
}
