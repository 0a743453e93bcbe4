import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'migration'],
    extra: { max: poolSize, application_name: 'chronicle' },
  };
}
