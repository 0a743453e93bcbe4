import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/config.js';
import { ProjectionRunner } from '../../src/projections/index.js';
import { childMain } from '../harness/children.js';
import { BENCH_MASTER_KEY } from '../harness/fixtures.js';
import { BENCH_AUTH_ENV } from '../harness/identity.js';

export interface RelayInput {
  databaseUrl: string;
  natsUrl: string;
  stream: string;
  subjectPrefix: string;
  maxInFlight: number;
  /** Global position of the last event in the log. */
  head: number;
  capSeconds: number;
}

export interface RelayOutput {
  reachedHead: boolean;
}

/**
 * The product's module graph running the relay alone (RUN_PROJECTIONS=integration-relay), from an empty checkpoint
 * until it has published the whole log; the parent reads its rate from the stream's timestamps.
 */
void childMain<RelayInput, RelayOutput>(async (input) => {
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      RUN_PROJECTIONS: 'integration-relay',
      CHRONICLE_MASTER_KEY: BENCH_MASTER_KEY,
      NATS_URL: input.natsUrl,
      NATS_STREAM: input.stream,
      NATS_SUBJECT_PREFIX: input.subjectPrefix,
      NATS_MAX_IN_FLIGHT: String(input.maxInFlight),
      ...BENCH_AUTH_ENV,
    }),
    databaseUrl: input.databaseUrl,
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
  });
  await app.init();
  const reachedHead = await app
    .get(ProjectionRunner)
    .waitFor(input.head, ['integration-relay'], input.capSeconds * 1000);
  await app.close();
  return { reachedHead };
});
