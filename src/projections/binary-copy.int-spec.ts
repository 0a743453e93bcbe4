import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { testDatabaseUrl } from '../../test/support/test-app.js';
import { dataSourceOptions } from '../database/database.options.js';
import { ENTITIES } from '../database/entities.js';
import { bigintAsNumber } from '../shared/bigint.transformer.js';
import { BinaryCopy, copyIn } from './binary-copy.js';

const TABLE = 'binary_copy_spec';

/** The columns as TypeORM describes them: type, names, array-ness and transformer are what BinaryCopy reads. */
const COLUMNS = [
  ['id', 'uuid'],
  ['position', 'bigint', bigintAsNumber],
  ['big', 'bigint'],
  ['small', 'smallint'],
  ['count', 'int'],
  ['label', 'text'],
  ['code', 'char'],
  ['name', 'varchar'],
  ['flag', 'boolean'],
  ['sealed', 'bytea'],
  ['at', 'timestamptz'],
].map(
  ([name, type, transformer]) =>
    ({
      databaseName: name,
      propertyName: name,
      type,
      isArray: false,
      transformer,
    }) as unknown as ColumnMetadata,
);

interface Row extends ObjectLiteral {
  id: string;
  position: number;
  big?: bigint | string | number | null;
  small?: number | null;
  count?: number | null;
  label?: string | null;
  code?: string | null;
  name?: string | null;
  flag?: boolean | null;
  sealed?: Buffer | null;
  at?: Date | null;
}

describe('BinaryCopy', () => {
  let dataSource: DataSource;
  const copy = new BinaryCopy(TABLE, COLUMNS);
  const write = (rows: Row[], tx?: EntityManager) =>
    tx ? copy.write(tx, rows) : dataSource.transaction((t) => copy.write(t, rows));
  const read = async (id: string) => {
    const [row] = (await dataSource.query(
      `SELECT id, position::text, big::text, small, count, label, code, name, flag, sealed,
         to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at FROM ${TABLE} WHERE id = $1`,
      [id],
    )) as Array<Record<string, unknown>>;
    return row;
  };

  beforeAll(async () => {
    dataSource = new DataSource({
      ...dataSourceOptions(testDatabaseUrl(), 2),
      migrationsRun: false,
      entities: ENTITIES,
      logging: false,
    });
    await dataSource.initialize();
    await dataSource.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await dataSource.query(`CREATE TABLE ${TABLE} (
      id uuid PRIMARY KEY, position bigint NOT NULL, big bigint, small smallint, count int, label text,
      code char(3), name varchar(20), flag boolean, sealed bytea, at timestamptz)`);
  });
  afterAll(async () => {
    await dataSource?.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await dataSource?.destroy();
  });

  it('writes every value as PostgreSQL reads it back: text that needs escaping, the ends of each integer range, times either side of 2000', async () => {
    const label = 'tab\there, "quoted", back\\slash, \\N, newline\n, {braces}, € 😀';
    const rows: Row[] = [
      {
        id: randomUUID(),
        position: Number.MAX_SAFE_INTEGER,
        big: -(2n ** 63n),
        small: -32768,
        count: -(2 ** 31),
        label,
        code: 'EUR',
        name: '',
        flag: true,
        sealed: Buffer.from([0, 1, 127, 128, 255]),
        at: new Date('1999-12-31T23:59:59.999Z'),
      },
      {
        id: randomUUID(),
        position: -Number.MAX_SAFE_INTEGER,
        big: '9223372036854775807',
        small: 32767,
        count: 2 ** 31 - 1,
        label: '',
        code: 'X',
        name: 'Zoë',
        flag: false,
        sealed: Buffer.alloc(0),
        at: new Date('2026-12-07T10:00:00.123Z'),
      },
      { id: randomUUID(), position: 0, big: -1, at: new Date('+100000-01-01T00:00:00.000Z') },
    ];
    await write(rows);

    expect(await read(rows[0].id)).toEqual({
      id: rows[0].id,
      position: '9007199254740991',
      big: '-9223372036854775808',
      small: -32768,
      count: -2147483648,
      label,
      code: 'EUR',
      name: '',
      flag: true,
      sealed: Buffer.from([0, 1, 127, 128, 255]),
      at: '1999-12-31T23:59:59.999000',
    });
    expect(await read(rows[1].id)).toEqual({
      id: rows[1].id,
      position: '-9007199254740991',
      big: '9223372036854775807',
      small: 32767,
      count: 2147483647,
      label: '',
      code: 'X  ',
      name: 'Zoë',
      flag: false,
      sealed: Buffer.alloc(0),
      at: '2026-12-07T10:00:00.123000',
    });
    expect(await read(rows[2].id)).toMatchObject({
      position: '0',
      big: '-1',
      small: null,
      label: null,
      sealed: null,
      at: '100000-01-01T00:00:00.000000',
    });
  });

  it('reads a uuid in either case, with or without hyphens, and a lone surrogate as pg sends it in a parameter', async () => {
    const id = randomUUID();
    const lone = 'half \uD800 a pair';
    await write([{ id: id.toUpperCase(), position: 1, label: lone }]);
    const [{ same }] = (await dataSource.query(
      `SELECT label = $2 AS same FROM ${TABLE} WHERE id = $1`,
      [id, lone],
    )) as Array<{ same: boolean }>;
    expect(same).toBe(true);
    const bare = randomUUID();
    await write([{ id: bare.replaceAll('-', ''), position: 2 }]);
    expect(await read(bare)).toMatchObject({ id: bare });
  });

  it.each<[string, Partial<Row>]>([
    ['a uuid', { id: 'not-a-uuid' }],
    ['a uuid', { id: 'g'.repeat(32) }],
    ['a uuid', { id: `${randomUUID().slice(0, 35)}x` }],
    ['a uuid', { id: randomUUID().replace('-', 'a') }],
    ['an integer', { count: 1.5 }],
    ['an integer', { count: 2 ** 31 }],
    ['a smallint', { small: -32769 }],
    ['a bigint', { big: 2 ** 53 }],
    ['a bigint', { big: '1e3' }],
    ['a bigint', { big: 2n ** 63n }],
    ['a valid Date', { at: new Date('nonsense') }],
    ['text', { label: 5 as unknown as string }],
    ['a boolean', { flag: 'yes' as unknown as boolean }],
  ])(
    'refuses a value that is not %s, without naming it, before sending anything: %p',
    async (what, values) => {
      const position = 1000 + Math.floor(Math.random() * 1e9);
      const row = { id: randomUUID(), position, ...values };
      const error = (await write([row]).catch((e: unknown) => e)) as Error;
      expect(error.message).toContain(`is not ${what}`);
      // The message may be kept (a dead letter): it names the type, never a value that could be personal.
      for (const value of Object.values(values))
        if (typeof value === 'string') expect(error.message).not.toContain(value);
      const [{ count }] = (await dataSource.query(
        `SELECT count(*)::int AS count FROM ${TABLE} WHERE position = $1`,
        [position],
      )) as Array<{ count: number }>;
      expect(count).toBe(0);
    },
  );

  it('fails the transaction on a key already stored, on a NUL in text, and on a table that is not there, leaving the connection usable', async () => {
    const id = randomUUID();
    await write([{ id, position: 4 }]);
    await expect(
      write([
        { id: randomUUID(), position: 5 },
        { id, position: 5 },
      ]),
    ).rejects.toMatchObject({
      code: '23505',
    });
    await expect(
      write([{ id: randomUUID(), position: 5, label: 'a\u0000b' }]),
    ).rejects.toMatchObject({
      code: '22021',
    });
    await expect(
      dataSource.transaction((tx) =>
        new BinaryCopy('no_such_table', COLUMNS).write(tx, [{ id, position: 5 }]),
      ),
    ).rejects.toMatchObject({ code: '42P01' });
    const [{ count }] = (await dataSource.query(
      `SELECT count(*)::int AS count FROM ${TABLE} WHERE position = 5`,
    )) as Array<{ count: number }>;
    expect(count).toBe(0);
  });

  it('fails a statement that is not a COPY FROM STDIN, leaving the connection usable', async () => {
    const answered = await dataSource.transaction(async (tx) => {
      const client = (await tx.queryRunner!.connect()) as PoolClient;
      await expect(copyIn(client, 'SELECT 1', Buffer.alloc(0))).rejects.toThrow(
        'Not a COPY FROM STDIN',
      );
      return (await tx.query('SELECT 2 AS two')) as Array<{ two: number }>;
    });
    expect(answered).toEqual([{ two: 2 }]);
  });

  it("shares the transaction's connection with statements sent while it runs", async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const [during, after] = await dataSource.transaction(async (tx) => {
      const first = write([{ id: ids[0], position: 6 }], tx);
      const counted = tx.query(`SELECT count(*)::int AS count FROM ${TABLE} WHERE position = 6`);
      const second = write(
        [
          { id: ids[1], position: 6 },
          { id: ids[2], position: 6 },
        ],
        tx,
      );
      await Promise.all([first, second]);
      return [
        ((await counted) as Array<{ count: number }>)[0].count,
        (
          (await tx.query(
            `SELECT count(*)::int AS count FROM ${TABLE} WHERE position = 6`,
          )) as Array<{ count: number }>
        )[0].count,
      ];
    });
    expect([0, 1, 3]).toContain(during);
    expect(after).toBe(3);
  });
});
