import databaseTeardown from '../../support/global-teardown.js';

export default async function globalTeardown() {
  const app = globalThis.__CHRONICLE_CONSOLE_APP__;
  if (app && app.child.exitCode === null && app.child.signalCode === null) {
    const exited = new Promise((resolve) => app.child.once('exit', resolve));
    // An intentional shutdown (the app closes its pools and projections), killed if it takes more than 10 s.
    try {
      app.child.send('close');
    } catch {
      app.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await databaseTeardown();
}
