import { Logger } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import type { DatabaseTimeouts } from '../config/config.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { MIGRATIONS } from './migrations.js';

const logger = new Logger('Database');

/**
 * pg emits 'error' on a client whose server ends it and pg-pool listens only while it is idle: unheard, the event
 * ends the process. So every pooled client listens for its whole life; its holder still sees its queries fail.
 */
function watchConnectionLoss(onLost: (error: Error) => void): (client: ClientBase) => void {
  return (client) => {
    let told = false;
    client.on('error', (error: Error) => {
      // The server's FATAL, then the closed socket: one connection lost, told once.
      if (told) return;
      told = true;
      onLost(error);
    });
  };
}

const logConnectionLoss = (error: Error) =>
  logger.warn(`A database connection was lost: ${error.message}`);

/**
 * What every session of a pool is held to: connecting (and waiting for a pooled connection), the server's
 * statement and idle-in-transaction timeouts, and a client-side bound a little past the statement timeout,
 * for a server that does not even cancel (frozen, or a network that silently drops). 0: none.
 */
export function sessionOptions(
  timeouts: Pick<
    DatabaseTimeouts,
    'connectTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'
  >,
) {
  const { connectTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = timeouts;
  return {
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs > 0
      ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 5_000 }
      : {}),
    ...(idleInTransactionTimeoutMs > 0
      ? { idle_in_transaction_session_timeout: idleInTransactionTimeoutMs }
      : {}),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * TypeORM's lines in the app's log, at LOG_LEVEL: a failed query with its statement (parameterised) and the
 * driver's message, never its parameters, which carry personal data (an owner's name, an address). A query that fails for an outage is not logged: DatabaseHealth logs the outage once.
 */
/**
 * The driver's error without the values it may quote: a data exception (SQLSTATE class 22: `invalid input syntax
 * for type integer: "<the value>"`) by its code alone; other messages name only objects (a constraint, a column).
 */
function describe(error: unknown): string {
  const driver = (error as { driverError?: unknown }).driverError ?? error;
  const code = (driver as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('22')) return `data exception (SQLSTATE ${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (SQLSTATE ${code})` : message;
}

class AppTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    if (isDatabaseUnavailable(error as unknown)) return;
    this.logger.error(
      `query failed: ${describe(error)}; the statement: ${query.replace(/\s+/g, ' ')}`,
    );
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`query took ${time} ms: ${query.replace(/\s+/g, ' ')}`);
  }

  /** A migration run or reverted, at info; not the rest ("No migrations are pending" at every start). */
  logSchemaBuild(message: string): void {
    if (/(executed|reverted) successfully/.test(message)) this.logger.log(message);
  }

  /** The counting and "no migrations are pending" of every start: not logged (an operator CLI's stdout stays its own). */
  logMigration(): void {}

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

export interface PoolSettings {
  timeouts?: DatabaseTimeouts;
  /** A connection of the pool was lost (told once per connection); default: a warning in the log. */
  onConnectionLost?: (error: Error) => void;
}

export function dataSourceOptions(
  url: string,
  poolSize: number,
  { timeouts, onConnectionLost = logConnectionLoss }: PoolSettings = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    logger: new AppTypeOrmLogger(),
    extra: {
      max: poolSize,
      application_name: 'chronicle',
      onConnect: watchConnectionLoss(onConnectionLost),
      ...(timeouts ? sessionOptions(timeouts) : {}),
    },
    // The pool's 'error' is an idle client's, which watchConnectionLoss has seen (TypeORM's default logs it as a
    // warning that `logging` filters out).
    poolErrorHandler: () => {},
  };
}

/**
 * Runs the migrations on a session of their own, held to DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS rather than
 * to the app's statement timeout: a migration may rewrite a large table.
 */
export async function migrate(url: string, timeouts: DatabaseTimeouts): Promise<void> {
  const maintenance = {
    ...timeouts,
    statementTimeoutMs: timeouts.maintenanceStatementTimeoutMs,
    idleInTransactionTimeoutMs: 0,
  };
  const dataSource = new DataSource(dataSourceOptions(url, 1, { timeouts: maintenance }));
  await dataSource.initialize();
  await dataSource.destroy();
}
