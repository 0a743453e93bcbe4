import { DataSource } from 'typeorm';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { dataSourceOptions } from './database.options.js';
import { ENTITIES } from './entities.js';

/** Each entity must describe its table exactly as the migrations made it. */
describe('entities', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    scratch = await scratchDatabase(2);
    dataSource = new DataSource({
      ...dataSourceOptions(scratch.url, 2),
      migrationsRun: false,
      entities: ENTITIES,
      logging: false,
    });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await scratch?.drop();
  });

  it('match the migrated schema: migration:generate would write nothing', async () => {
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  });
});
