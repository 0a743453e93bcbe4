import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { ProjectionRunner, type RebuildProgress } from '../projections/index.js';
import { withOperatorApp } from './operator-app.js';
import { ProgressBar } from './progress-bar.js';
import { cli, positiveIntegerArgument, runCli } from './run-cli.js';

const program = cli(
  'projections',
  `Uses DATABASE_URL, or the embedded PostgreSQL under EMBEDDED_PG_DATA_DIR (the running app's, if any).
This process never runs projections itself: a running app keeps doing that.`,
);
/** The projection engine of the app's module graph, for `work`; its exit code is the process's. */
const withRunner =
  <A extends unknown[]>(
    work: (runner: ProjectionRunner, app: INestApplicationContext, ...args: A) => Promise<void>,
  ) =>
  async (...args: A) => {
    await withOperatorApp(loadConfig(), (app) => work(app.get(ProjectionRunner), app, ...args));
  };

program
  .command('status')
  .description('every projection: status, checkpoint, lag, owner, last error')
  .action(withRunner(async (runner) => printStatus(await runner.status())));
program
  .command('rebuild <name>')
  .description('rebuild into shadow tables and swap them in, with progress')
  .action(withRunner((runner, app, name: string) => rebuild(app, runner, name)));
program
  .command('retry <name>')
  .description('resume a failed projection at the event it stopped at')
  .action(
    withRunner(async (runner, _app, name: string) => {
      await runner.retry(name);
      printStatus((await runner.status()).filter((p) => p.name === name));
    }),
  );
program
  .command('skip')
  .description('move a failed projection past that one dead-lettered event')
  .argument('<name>')
  .argument('<position>', 'its global position', positiveIntegerArgument)
  .action(
    withRunner(async (runner, _app, name: string, position: number) => {
      await runner.skip(name, position);
      printStatus((await runner.status()).filter((p) => p.name === name));
    }),
  );

async function rebuild(
  app: INestApplicationContext,
  runner: ProjectionRunner,
  name: string,
): Promise<void> {
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

runCli('projections', program);
