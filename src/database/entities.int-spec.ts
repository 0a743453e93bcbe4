import type { DataSource } from 'typeorm';
import { scratchDataSource, type ScratchDatabase } from '../../test/support/database.js';
import { ENTITIES } from './entities.js';

/** Each entity must describe its table exactly as the migrations made it. */
describe('entities', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ scratch, dataSource } = await scratchDataSource(ENTITIES));
  });
  afterAll(() => scratch?.drop());

  it('match the migrated schema: migration:generate would write nothing', async () => {
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  });
});
