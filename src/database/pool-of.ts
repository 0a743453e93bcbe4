import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** The one place that reaches into TypeORM's driver for its pg pool (eslint refuses `.master` anywhere else). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
