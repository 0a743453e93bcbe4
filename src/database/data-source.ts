import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database.options.js';
import { ENTITIES } from './entities.js';

/** For the TypeORM CLI (migration:generate, migration:revert) against DATABASE_URL. */
export default new DataSource({
  ...dataSourceOptions(
    process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:54329/chronicle',
    2,
  ),
  entities: ENTITIES,
  migrationsRun: false,
});
