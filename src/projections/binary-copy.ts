import type { Connection, PoolClient } from 'pg';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * New rows of an entity's table sent as one `COPY ... FROM STDIN (FORMAT binary)`: no statement text or array
 * literal to build, parse and unnest, and no conflict check per row (bench row "projection catch-up from zero":
 * the statement lines' `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING` was most of PostgreSQL's side of
 * a catch-up). A stored row with the same key fails the transaction (unique violation). Table names stay
 * unqualified, so a rebuild's search_path points them at its copies.
 */
export class BinaryCopy {
  private static readonly cache = new WeakMap<object, BinaryCopy>();

  static of(entity: new () => ObjectLiteral, tx: EntityManager): BinaryCopy {
    let copy = BinaryCopy.cache.get(entity);
    if (!copy) {
      const { tableName, columns } = tx.connection.getMetadata(entity);
      copy = new BinaryCopy(tableName, columns);
      BinaryCopy.cache.set(entity, copy);
    }
    return copy;
  }

  private readonly sql: string;
  private readonly fields: ReadonlyArray<{ property: string; name: string; encode: Encode }>;

  constructor(table: string, columns: readonly ColumnMetadata[]) {
    this.fields = columns.map((column) => {
      const encode = ENCODERS[String(column.type)];
      if (!encode || column.isArray)
        throw new Error(
          `A binary COPY does not write ${table}.${column.databaseName} (${String(column.type)})`,
        );
      const { transformer } = column;
      const to = transformer && !Array.isArray(transformer) ? transformer : undefined;
      return {
        property: column.propertyName,
        name: `${table}.${column.databaseName}`,
        encode: to ? (out, value, name) => encode(out, to.to(value), name) : encode,
      };
    });
    this.sql = `COPY ${table} (${columns.map((c) => c.databaseName).join(', ')}) FROM STDIN (FORMAT binary)`;
  }

  /** The rows in COPY's binary format; throws (nothing sent) on a value its column cannot hold. */
  encode(rows: readonly ObjectLiteral[]): Buffer {
    const out = new CopyBuffer(64 + rows.length * 32 * this.fields.length);
    out.bytes(SIGNATURE);
    out.int32(0); // flags
    out.int32(0); // header extension
    for (const row of rows) {
      out.int16(this.fields.length);
      for (const { property, name, encode } of this.fields) {
        const value = row[property];
        if (value === null || value === undefined) out.int32(-1);
        else encode(out, value, name);
      }
    }
    out.int16(-1);
    return out.done();
  }

  async write(tx: EntityManager, rows: readonly ObjectLiteral[]): Promise<void> {
    if (rows.length === 0) return;
    const data = this.encode(rows);
    const client = (await tx.queryRunner!.connect()) as PoolClient;
    await copyIn(client, this.sql, data);
  }
}

/** Sends `COPY ... FROM STDIN` and then `data` as one CopyData message, in the client's queue like any query. */
export function copyIn(client: PoolClient, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(sql, data, (error) => (error ? reject(error) : resolve())));
  });
}

/** pg's interface for a query of its own (as pg-copy-streams implements it): the client calls these. */
class CopyIn {
  private settled = false;

  constructor(
    readonly text: string,
    private readonly data: Buffer,
    // pg's query_timeout wraps `callback`: it must be the one called.
    public callback: (error: Error | null) => void,
  ) {}

  submit(connection: Connection): void {
    (connection as unknown as { query(text: string): void }).query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    const copying = connection as unknown as {
      sendCopyFromChunk(chunk: Buffer): void;
      endCopyFrom(): void;
    };
    copying.sendCopyFromChunk(this.data);
    copying.endCopyFrom();
  }

  handleCommandComplete(): void {}

  // Any other answer means the statement was not a COPY FROM STDIN: fail it, and let the rest of the answer pass.
  handleRowDescription(): void {
    this.notCopyIn(this.text);
  }

  handleDataRow(): void {}

  handleEmptyQuery(): void {
    this.notCopyIn('an empty statement');
  }

  handleCopyData(): void {
    this.notCopyIn(this.text);
  }

  private notCopyIn(statement: string): void {
    this.settle(new Error(`Not a COPY FROM STDIN: ${statement}`));
  }

  handleReadyForQuery(): void {
    this.settle(null);
  }

  handleError(error: Error): void {
    this.settle(error);
  }

  private settle(error: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    this.callback(error);
  }
}

type Encode = (out: CopyBuffer, value: unknown, name: string) => void;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TWO_32 = 2 ** 32;
/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix milliseconds. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
/** The value of each hex digit by character code; -1 for any other character. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++)
  HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
/** Where a uuid written with hyphens has them. */
const HYPHENS = [8, 13, 18, 23];
/** Where a uuid's 32 hex digits are in its 36-character form, and in its 32-digit form. */
const DIGITS_36 = Array.from({ length: 36 }, (_, i) => i).filter((i) => !HYPHENS.includes(i));
const DIGITS_32 = Array.from({ length: 32 }, (_, i) => i);

/** Names the value's type, never the value: the message may be kept (a dead letter) and the value be personal. */
const invalid = (name: string, value: unknown, what: string) =>
  new Error(`${name}: a value of type ${typeof value} that is not ${what}`);

/** A signed integer of `bits` bits, from a number, a bigint or a string of digits. */
function integer(value: unknown, name: string, what: string, bits: 16 | 32 | 64): number | bigint {
  // Numbers compared with numbers: a comparison with a bigint costs far more, once per value.
  if (typeof value === 'number') {
    const limit = 2 ** (bits - 1);
    if (Number.isSafeInteger(value) && value >= -limit && value < limit) return value;
  } else if (
    typeof value === 'bigint' ||
    (typeof value === 'string' && /^-?\d{1,19}$/.test(value))
  ) {
    const big = BigInt(value);
    if (BigInt.asIntN(bits, big) === big) return big;
  }
  throw invalid(name, value, what);
}

const text: Encode = (out, value, name) => {
  if (typeof value !== 'string') throw invalid(name, value, 'text');
  out.text(value);
};

/** Binary encoders by TypeORM column type: a 4-byte length, then PostgreSQL's binary form of the value. */
const ENCODERS: Record<string, Encode> = {
  uuid: (out, value, name) => {
    if (typeof value !== 'string' || !out.uuid(value)) throw invalid(name, value, 'a uuid');
  },
  text,
  varchar: text,
  char: text,
  smallint: (out, value, name) => {
    out.int32(2);
    out.int16(Number(integer(value, name, 'a smallint', 16)));
  },
  int: (out, value, name) => {
    out.int32(4);
    out.int32(Number(integer(value, name, 'an integer', 32)));
  },
  bigint: (out, value, name) => {
    out.int32(8);
    out.int64(integer(value, name, 'a bigint', 64));
  },
  boolean: (out, value, name) => {
    if (typeof value !== 'boolean') throw invalid(name, value, 'a boolean');
    out.int32(1);
    out.byte(value ? 1 : 0);
  },
  bytea: (out, value, name) => {
    if (!Buffer.isBuffer(value)) throw invalid(name, value, 'a Buffer');
    out.int32(value.length);
    out.bytes(value);
  },
  timestamptz: (out, value, name) => {
    const ms = value instanceof Date ? value.getTime() : NaN;
    if (Number.isNaN(ms)) throw invalid(name, value, 'a valid Date');
    out.int32(8);
    // Microseconds since 2000: exact as a double up to year ~2255; beyond, through a bigint.
    const micros = (ms - POSTGRES_EPOCH_MS) * 1000;
    out.int64(Number.isSafeInteger(micros) ? micros : BigInt(ms - POSTGRES_EPOCH_MS) * 1000n);
  },
};
ENCODERS.integer = ENCODERS.int;

/** A growing buffer written front to back. */
class CopyBuffer {
  private buffer: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  int16(value: number): void {
    this.room(2);
    this.at = this.buffer.writeInt16BE(value, this.at);
  }

  int32(value: number): void {
    this.room(4);
    this.at = this.buffer.writeInt32BE(value, this.at);
  }

  int64(value: number | bigint): void {
    this.room(8);
    if (typeof value === 'bigint') {
      this.at = this.buffer.writeBigInt64BE(value, this.at);
      return;
    }
    const high = Math.floor(value / TWO_32);
    this.at = this.buffer.writeInt32BE(high, this.at);
    this.at = this.buffer.writeUInt32BE(value - high * TWO_32, this.at);
  }

  /** Its UTF-8 bytes after their length (a lone surrogate becomes U+FFFD, as pg's text parameters do). */
  text(value: string): void {
    this.room(4 + value.length * 3);
    const length = this.buffer.write(value, this.at + 4, 'utf8');
    this.buffer.writeInt32BE(length, this.at);
    this.at += 4 + length;
  }

  /** A uuid's 16 bytes after their length, from its 36-character form or 32 hex digits; false if it is neither. */
  uuid(value: string): boolean {
    if (value.length !== 36 && value.length !== 32) return false;
    if (value.length === 36 && HYPHENS.some((at) => value.charCodeAt(at) !== 45)) return false;
    this.room(20);
    const start = this.at;
    this.buffer.writeInt32BE(16, start);
    let at = start + 4;
    const digits = value.length === 36 ? DIGITS_36 : DIGITS_32;
    for (let d = 0; d < 32; d += 2) {
      const high = HEX[value.charCodeAt(digits[d])] ?? -1;
      const low = HEX[value.charCodeAt(digits[d + 1])] ?? -1;
      if (high < 0 || low < 0) return false;
      this.buffer[at++] = (high << 4) | low;
    }
    this.at = at;
    return true;
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    this.at += value.copy(this.buffer, this.at);
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}
