import { Logger, type LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { scratchDataSource, type ScratchDatabase } from '../../test/support/database.js';

/** A failed query is logged with its statement and the driver's message: never its parameters (personal data). */
describe("TypeORM's lines in the app's log", () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  const lines: string[] = [];
  const capture: LoggerService = {
    log: (message: unknown) => lines.push(`log ${String(message)}`),
    error: (message: unknown) => lines.push(`error ${String(message)}`),
    warn: (message: unknown) => lines.push(`warn ${String(message)}`),
    debug: (message: unknown) => lines.push(`debug ${String(message)}`),
    verbose: (message: unknown) => lines.push(`verbose ${String(message)}`),
  };

  beforeAll(async () => {
    ({ scratch, dataSource } = await scratchDataSource([]));
    Logger.overrideLogger(capture);
  });
  afterAll(async () => {
    Logger.overrideLogger(false);
    await scratch?.drop();
  });

  it('logs a failed query as one error line without its parameters', async () => {
    await expect(
      dataSource.query('SELECT $1::int AS owner_name', ['Jane Doe, 1 Main Street']),
    ).rejects.toThrow(/invalid input syntax/);
    const errors = lines.filter((line) => line.startsWith('error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error query failed: data exception \(SQLSTATE 22P02\); the statement: SELECT \$1::int AS owner_name$/,
    );
    expect(lines.join('\n')).not.toMatch(/Jane|Main Street/);
  });
});
