import { Logger } from '@nestjs/common';
import type { ClientBase } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';

const logger = new Logger('Database');

/**
 * pg emits 'error' on a client whose server ends it (pg_terminate_backend, a restart), and pg-pool listens only
 * while the client is idle: one just connected, or checked out between queries, would throw it as an unhandled
 * event and end the process. So every pooled client listens for its whole life. Its holder still sees the loss
 * (its queries fail) and the pool drops the client when it comes back.
 */
function logConnectionLoss(client: ClientBase): void {
  let logged = false;
  client.on('error', (error: Error) => {
    // The server's FATAL, then the closed socket: one connection lost, one line.
    if (logged) return;
    logged = true;
    logger.warn(`A database connection was lost: ${error.message}`);
  });
}

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    extra: { max: poolSize, application_name: 'chronicle', onConnect: logConnectionLoss },
    // The pool's 'error' is an idle client's, which logConnectionLoss has logged (TypeORM's default logs it as a
    // warning that `logging` filters out).
    poolErrorHandler: () => {},
  };
}
