import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { arrayLiteral } from '../event-store/index.js';

/** Joins the values of a key of several columns into a row id (see `compositeId`). */
export const KEY_SEPARATOR = '|';

/** What of an `EntityProjection` decides its SQL. */
interface TableOptions {
  readonly entity: new () => ObjectLiteral;
  readonly appendOnly?: boolean;
  readonly insertOnly?: readonly string[];
  readonly overwriteWhen?: string;
}

/** How one column is read into a row and written from one: SQL around the value, and its conversion. */
interface Codec {
  column: ColumnMetadata;
  /** The column in the SELECT list. */
  select: string;
  /** The SQL type of its array parameter. */
  arrayType: string;
  /** The value inserted, from the unnest alias `u`. */
  insert: string;
  read(value: unknown): unknown;
  write(value: unknown): unknown;
}

/**
 * The SQL of an entity's table, built once per projection from its TypeORM metadata. Timestamps travel as epoch
 * milliseconds (a Date's precision) both ways: no text parsed or formatted per value, which a catch-up that reads
 * and writes every row it touches would feel (bench row "projection catch-up from zero").
 */
export class EntityTable {
  private static readonly cache = new WeakMap<object, EntityTable>();

  static of(projection: TableOptions, tx: EntityManager): EntityTable {
    let table = EntityTable.cache.get(projection);
    if (!table) {
      table = new EntityTable(projection, tx);
      EntityTable.cache.set(projection, table);
    }
    return table;
  }

  private readonly codecs: Codec[];
  private readonly keys: ColumnMetadata[];
  private readonly selectSql: string;
  private readonly upsertSql: string;
  private readonly deleteSql: string;

  private constructor(projection: TableOptions, tx: EntityManager) {
    const metadata = tx.connection.getMetadata(projection.entity);
    const table = metadata.tableName;
    this.keys = metadata.primaryColumns;
    this.codecs = metadata.columns.map((column) => codecOf(column, tx));
    const names = this.codecs.map(({ column }) => column.databaseName).join(', ');
    const keyNames = this.keys.map((c) => c.databaseName).join(', ');
    const keyArrays = this.keys.map((c, i) => `$${i + 1}::${sqlType(c)}[]`).join(', ');
    const byKey =
      this.keys.length === 1
        ? `${keyNames} = ANY(${keyArrays})`
        : `(${keyNames}) IN (SELECT * FROM unnest(${keyArrays}))`;
    const kept = new Set<string>(projection.insertOnly ?? []);
    const updated = projection.appendOnly
      ? []
      : metadata.columns.filter((c) => !c.isPrimary && !kept.has(c.propertyName));
    const onConflict =
      updated.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${updated.map((c) => `${c.databaseName} = EXCLUDED.${c.databaseName}`).join(', ')}
          ${projection.overwriteWhen ? `WHERE ${projection.overwriteWhen}` : ''}`;
    this.selectSql = `SELECT ${this.codecs.map((c) => c.select).join(', ')} FROM ${table} WHERE ${byKey}`;
    this.upsertSql = `INSERT INTO ${table} AS t (${names})
      SELECT ${this.codecs.map((c) => c.insert).join(', ')}
      FROM unnest(${this.codecs.map((c, i) => `$${i + 1}::${c.arrayType}[]`).join(', ')}) AS u(${names})
      ON CONFLICT (${keyNames}) ${onConflict}`;
    this.deleteSql = `DELETE FROM ${table} WHERE ${byKey}`;
  }

  idOf(row: ObjectLiteral): string {
    if (this.keys.length === 1) return row[this.keys[0].propertyName] as string;
    return this.keys.map((c) => String(row[c.propertyName])).join(KEY_SEPARATOR);
  }

  async load(tx: EntityManager, ids: string[]): Promise<ObjectLiteral[]> {
    const raw: Array<Record<string, unknown>> = await tx.query(this.selectSql, this.keyArrays(ids));
    return raw.map((r) => {
      const row: ObjectLiteral = {};
      for (const { column, read } of this.codecs) {
        row[column.propertyName] = read(r[column.databaseName]);
      }
      return row;
    });
  }

  async upsert(tx: EntityManager, rows: readonly ObjectLiteral[]): Promise<void> {
    await tx.query(
      this.upsertSql,
      this.codecs.map(({ column, write }) => {
        const values = rows.map((row) => write(row[column.propertyName]));
        return arrayLiteral(values) ?? values;
      }),
    );
  }

  async delete(tx: EntityManager, ids: string[]): Promise<void> {
    await tx.query(this.deleteSql, this.keyArrays(ids));
  }

  /** One array per key column, of the values the ids name. */
  private keyArrays(ids: string[]): string[][] {
    if (this.keys.length === 1) return [ids];
    const parts = ids.map((id) => id.split(KEY_SEPARATOR));
    return this.keys.map((_, i) => parts.map((values) => values[i]));
  }
}

function codecOf(column: ColumnMetadata, tx: EntityManager): Codec {
  const name = column.databaseName;
  if (column.type === 'timestamptz') {
    return {
      column,
      select: `(extract(epoch FROM ${name}) * 1000)::float8 AS ${name}`,
      arrayType: 'float8',
      insert: `'epoch'::timestamptz + u.${name} * interval '1 millisecond'`,
      read: (ms) => (ms === null ? null : new Date(ms as number)),
      write: (at) => (at === null || at === undefined ? null : (at as Date).getTime()),
    };
  }
  if (column.isArray) {
    // A parameter of arrays would be one two-dimensional array, which unnest flattens: each travels as JSON.
    return {
      column,
      select: name,
      arrayType: 'text',
      insert: `ARRAY(SELECT jsonb_array_elements_text(u.${name}::jsonb))::${sqlType(column)}[]`,
      read: (value) => value,
      write: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
    };
  }
  const driver = tx.connection.driver;
  const { transformer } = column;
  const single = transformer && !Array.isArray(transformer) ? transformer : undefined;
  const fromDriver =
    column.type === 'date' ? (value: unknown) => driver.prepareHydratedValue(value, column) : null;
  const toDriver = (value: unknown) => driver.preparePersistentValue(value, column) ?? null;
  const asIs = AS_STORED.has(String(column.type)) && (single || !transformer);
  return {
    column,
    select: name,
    arrayType: sqlType(column),
    insert: `u.${name}`,
    read: fromDriver ?? (single ? (value) => single.from(value) : (value) => value),
    write: !asIs
      ? toDriver
      : single
        ? (value) => single.to(value) ?? null
        : (value) => value ?? null,
  };
}

/**
 * Column types whose values TypeORM's preparePersistentValue hands to pg as they are (after the transformer): their
 * values skip it, which costs up to a microsecond a value (bench row "projection catch-up from zero").
 */
export const AS_STORED: ReadonlySet<string> = new Set([
  'uuid',
  'text',
  'varchar',
  'char',
  'int',
  'integer',
  'smallint',
  'bigint',
  'bytea',
]);

const sqlType = (column: ColumnMetadata) =>
  column.length ? `${String(column.type)}(${column.length})` : String(column.type);
