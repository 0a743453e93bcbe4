import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { ProjectionRunner, type RebuildProgress } from '../projections/index.js';
import { withOperatorApp } from './operator-app.js';
import { ProgressBar } from './progress-bar.js';
import { required, runCli, UsageError } from './run-cli.js';

const USAGE = `Usage: npm run projections -- <command>

  status                   every projection: status, checkpoint, lag, owner, last error
  rebuild <name>           rebuild into shadow tables and swap them in, with progress
  retry <name>             resume a failed projection at the event it stopped at
  skip <name> <position>   move a failed projection past that one dead-lettered event

Uses DATABASE_URL, or the embedded PostgreSQL under EMBEDDED_PG_DATA_DIR (the running app's, if any).
This process never runs projections itself: a running app keeps doing that.`;

async function main(argv: string[]): Promise<number> {
  const [command, name, position] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  return withOperatorApp(loadConfig(), async (app) => {
    const runner = app.get(ProjectionRunner);
    switch (command) {
      case 'status':
        printStatus(await runner.status());
        return 0;
      case 'rebuild':
        return await rebuild(app, runner, required(name, 'name'));
      case 'retry':
        await runner.retry(required(name, 'name'));
        printStatus((await runner.status()).filter((p) => p.name === name));
        return 0;
      case 'skip': {
        const at = Number(required(position, 'position'));
        if (!Number.isSafeInteger(at) || at < 1)
          throw new UsageError('position must be a positive integer');
        await runner.skip(required(name, 'name'), at);
        printStatus((await runner.status()).filter((p) => p.name === name));
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  });
}

async function rebuild(
  app: INestApplicationContext,
  runner: ProjectionRunner,
  name: string,
): Promise<number> {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const [{ total }] = await dataSource.query('SELECT count(*)::bigint AS total FROM events');
  const bar = new ProgressBar(`rebuild ${name}`, Number(total), process.stderr);
  const started = Date.now();
  await runner.rebuild(name, (progress: RebuildProgress) => bar.update(progress.done));
  bar.done();
  process.stdout.write(
    `Projection ${name} rebuilt from ${bar.current.toLocaleString('en')} events in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s and swapped in.\n`,
  );
  return 0;
}

function printStatus(statuses: Awaited<ReturnType<ProjectionRunner['status']>>): void {
  const rows = statuses.map((p) => ({
    projection: p.name,
    status: p.status,
    position: p.checkpoint.position,
    'lag (events)': p.lagEvents,
    'lag (ms)': p.lagMs,
    owner: p.owner?.instance ?? '-',
    'last error': p.lastError ?? '',
    ...(p.horizonHeldBy
      ? { 'horizon held by': `pid ${p.horizonHeldBy.pid} since ${p.horizonHeldBy.since}` }
      : {}),
  }));
  console.table(rows);
}

runCli('projections', USAGE, main);
