import { Logger } from '@nestjs/common';
import type { ClientBase } from 'pg';
import {
  AdvancedConsoleLogger,
  DataSource,
  type DataSourceOptions,
  type QueryRunner,
} from 'typeorm';
import type { DatabaseTimeouts } from '../config/config.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { MIGRATIONS } from './migrations.js';

const logger = new Logger('Database');

/**
 * pg emits 'error' on a client whose server ends it (pg_terminate_backend, a restart), and pg-pool listens only
 * while the client is idle: one just connected, or checked out between queries, would throw it as an unhandled
 * event and end the process. So every pooled client listens for its whole life. Its holder still sees the loss
 * (its queries fail) and the pool drops the client when it comes back.
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

/** TypeORM's logger, but a query that fails for an outage is not logged: DatabaseHealth logs the outage once. */
class OutageAwareLogger extends AdvancedConsoleLogger {
  override logQueryError(
    error: string,
    query: string,
    parameters?: unknown[],
    queryRunner?: QueryRunner,
  ): void {
    // TypeORM passes the driver's Error, typed as a string.
    if (isDatabaseUnavailable(error as unknown)) return;
    super.logQueryError(error, query, parameters, queryRunner);
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
    logger: new OutageAwareLogger(['error', 'migration']),
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
