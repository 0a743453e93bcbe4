import { BENCH_MASTER_KEY } from './fixtures.js';
import { BENCH_AUTH_ENV } from './identity.js';

/**
 * The app as the bench runs it in its own process: production mode with the bench's master key and identity
 * provider, and rate limits no load here reaches (the in-memory limiter runs, its cost is measured, it never refuses).
 */
export const BENCH_APP_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'error',
  CHRONICLE_MASTER_KEY: BENCH_MASTER_KEY,
  ...BENCH_AUTH_ENV,
  RATE_LIMIT_PER_MINUTE: '10000000',
  RATE_LIMIT_IP_PER_MINUTE: '10000000',
  RATE_LIMIT_EXPENSIVE_PER_MINUTE: '10000000',
};
