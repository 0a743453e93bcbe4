import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
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
  const logLevel = operatorLogging(config);
  const embedded = await operatorDatabase({ ...config, logLevel });
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

/**
 * An operator command's log: its output is on stdout, its log (Nest's, TypeORM's included) on stderr, at LOG_LEVEL,
 * or warn when LOG_LEVEL is unset. Returns that level.
 */
export function operatorLogging(config: AppConfig): AppConfig['logLevel'] {
  setLogDestination(2);
  const logLevel = process.env.LOG_LEVEL === undefined ? 'warn' : config.logLevel;
  Logger.overrideLogger(nestLogger({ ...config, logLevel }));
  return logLevel;
}

/** The embedded PostgreSQL when DATABASE_URL is unset (its output at debug), else nothing; `config` at the command's level. */
export async function operatorDatabase(config: AppConfig): Promise<EmbeddedDatabase | undefined> {
  if (config.databaseUrl) return undefined;
  const postgres = appLogger(config).child({ context: 'EmbeddedPostgres' });
  return startEmbeddedPostgres({ ...config.embeddedPg, log: (line) => postgres.debug(line) });
}
