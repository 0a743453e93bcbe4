import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import type { AppConfig } from '../config/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../database/embedded-postgres.js';
import { appLogger, nestLogger, setLogDestination } from '../logging/index.js';

/**
 * The application's module graph for an operator's command: DATABASE_URL or the embedded PostgreSQL, no projection
 * run here (a running app keeps doing that), and the maintenance statement timeout, deliberately (a rebuild, a
 * count of the log, a replay may run long). Closed, with the embedded server, once `work` is done.
 */
export async function withOperatorApp<T>(
  config: AppConfig,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // The command's output is on stdout; its log on stderr, at LOG_LEVEL, or warn when LOG_LEVEL is unset.
  setLogDestination(2);
  const logLevel = process.env.LOG_LEVEL === undefined ? 'warn' : config.logLevel;
  const postgres = appLogger({ ...config, logLevel }).child({ context: 'EmbeddedPostgres' });
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl)
    embedded = await startEmbeddedPostgres({
      ...config.embeddedPg,
      log: (line) => postgres.debug(line),
    });
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        ...config,
        logLevel,
        databaseUrl,
        projections: { ...config.projections, run: false },
        database: {
          ...config.database,
          statementTimeoutMs: config.database.maintenanceStatementTimeoutMs,
        },
      }),
      { logger: nestLogger({ ...config, logLevel }) },
    );
    return await work(app);
  } finally {
    await app?.close();
    await embedded?.stop();
  }
}
