import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { createApp, type RunningApp } from '../../src/app.factory.js';
import './log-capture.js';

/** The database the global setup created for this run (real PostgreSQL: embedded or DATABASE_URL's server). */
export function testDatabaseUrl(): string {
  const url = process.env.CHRONICLE_TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'CHRONICLE_TEST_DATABASE_URL is not set: run the suites through jest (npm test)',
    );
  return url;
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      PROJECTION_POLL_MS: '200',
      PROJECTION_RETRY_ATTEMPTS: '3',
      PROJECTION_RETRY_BASE_MS: '20',
      PROJECTION_LEASE_RETRY_MS: '200',
      // Out of the way of every suite; test/rate-limits.e2e-spec.ts sets its own.
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      RATE_LIMIT_EXPENSIVE_PER_MINUTE: '10000000',
    }),
    databaseUrl: testDatabaseUrl(),
    ...overrides,
  };
}

/** The real application (migrations, projections, HTTP pipeline) on the test database, not listening on a port. */
export function startTestApp(overrides: Partial<AppConfig> = {}): Promise<RunningApp> {
  return createApp(testConfig(overrides));
}
