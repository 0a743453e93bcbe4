/**
 * The console's browser suite (test/console/*.console-spec.ts): `npm run test:console`, never part of `npm test`
 * (it needs Debian's chromium at /usr/bin/chromium or CHROMIUM_PATH). One app, started by the global setup on the
 * test database and listening on a free port, serves every file; each file drives its own headless browser.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/console/**/*.console-spec.ts'],
  globalSetup: '<rootDir>/test/console/support/global-setup.js',
  globalTeardown: '<rootDir>/test/console/support/global-teardown.js',
  testTimeout: 90000,
};
