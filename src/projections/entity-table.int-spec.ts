import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { testDatabaseUrl } from '../../test/support/test-app.js';
import { dataSourceOptions } from '../database/database.options.js';
import { ENTITIES } from '../database/entities.js';
import { StreamCatalogEntry } from '../event-browser/projections/stream-catalog.entity.js';
import { AS_STORED, EntityTable } from './entity-table.js';

/** pg's own conversion of a parameter to the text it sends (an array: its array literal). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): unknown;
};

/** A value of the column's type, as an entity holds it. */
function sampleOf(column: ColumnMetadata): unknown {
  if (column.isArray) return ['AccountOpened', 'Money "deposited", {x}'];
  switch (String(column.type)) {
    case 'uuid':
      return randomUUID();
    case 'text':
    case 'varchar':
    case 'char':
      return 'EUR';
    case 'int':
    case 'integer':
    case 'smallint':
    case 'bigint':
      return 42;
    case 'bytea':
      return Buffer.from('sealed');
    case 'timestamptz':
      return new Date('2026-12-01T10:00:00.000Z');
    case 'date':
      return '2026-12-01';
    case 'jsonb':
      return { lines: [{ productId: 'sku-1', quantity: 2 }] };
    default:
      throw new Error(`no sample of a ${String(column.type)} column`);
  }
}

describe('EntityTable', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource({
      ...dataSourceOptions(testDatabaseUrl(), 1),
      migrationsRun: false,
      entities: ENTITIES,
      logging: false,
    });
    await dataSource.initialize();
  });
  afterAll(() => dataSource?.destroy());

  it('writes and reads back text and array columns as they were, quotes, backslashes and braces included', async () => {
    const streamId = `test-${randomUUID()}`;
    const row: StreamCatalogEntry = {
      streamId,
      category: 'Money "de\\posited", {x} NULL',
      types: ['AccountOpened', 'Money "deposited", {x}', ''],
    };
    const table = EntityTable.of({ entity: StreamCatalogEntry }, dataSource.manager);
    await dataSource
      .transaction(async (tx) => {
        // A table of its own (temporary tables come first on the search path): the test database is not migrated.
        await tx.query(`CREATE TEMP TABLE stream_catalog (stream_id text PRIMARY KEY, category text,
          types text[])`);
        await table.upsert(tx, [row]);
        expect(await table.load(tx, [streamId])).toEqual([row]);
        throw new Error('rollback');
      })
      .catch((error: Error) => expect(error.message).toBe('rollback'));
  });

  it('hands pg what TypeORM would for every column of every entity, timestamps as epoch milliseconds', async () => {
    const passedAsStored = new Set<string>();
    for (const entity of ENTITIES) {
      const { columns } = dataSource.getMetadata(entity);
      const row: ObjectLiteral = Object.fromEntries(
        columns.map((c) => [c.propertyName, sampleOf(c)]),
      );
      const empty: ObjectLiteral = Object.fromEntries(columns.map((c) => [c.propertyName, null]));
      let sent: unknown;
      const tx = {
        connection: dataSource,
        query: async (_sql: string, params: unknown) => void (sent = params),
      } as unknown as EntityManager;

      await EntityTable.of({ entity }, tx).upsert(tx, [row, empty]);

      // As the text pg sends: the writer may build an array's literal itself.
      expect((sent as unknown[]).map((p) => prepareValue(p))).toEqual(
        columns
          .map((c) =>
            [row, empty].map((r) => {
              const value = r[c.propertyName] as unknown;
              if (c.type === 'timestamptz')
                return value === null ? null : (value as Date).getTime();
              // An array travels as JSON text: a parameter of arrays would be one two-dimensional array.
              if (c.isArray) return value === null ? null : JSON.stringify(value);
              return dataSource.driver.preparePersistentValue(value, c) ?? null;
            }),
          )
          .map((p) => prepareValue(p)),
      );
      for (const c of columns)
        if (AS_STORED.has(String(c.type))) passedAsStored.add(String(c.type));
    }
    expect([...passedAsStored].sort()).toEqual(['bigint', 'bytea', 'char', 'int', 'text', 'uuid']);
  });
});
