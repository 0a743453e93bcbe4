import pg from 'pg';
import { loadConfig } from '../config/config.js';
import { migrate, sessionOptions } from '../database/database.options.js';
import { MasterKeyRotation, MasterKeys, type MasterKeyStatus } from '../event-store/index.js';
import { operatorDatabase, operatorLogging } from './operator-app.js';
import { cli, positiveIntegerArgument, runCli } from './run-cli.js';

const program = cli(
  'keys',
  `Uses DATABASE_URL, or the embedded PostgreSQL under EMBEDDED_PG_DATA_DIR (the running app's, if any), and
CHRONICLE_MASTER_KEY, CHRONICLE_PREVIOUS_MASTER_KEYS as the app reads them. Safe to stop and to run again.`,
);
program
  .command('status')
  .description('how many personal-data keys each master key wraps')
  .action(() => withRotation(async (rotation) => printStatus(await rotation.status())));
program
  .command('rotate')
  .description(
    're-wrap every key under CHRONICLE_MASTER_KEY, while the service runs; keep the old key in ' +
      'CHRONICLE_PREVIOUS_MASTER_KEYS until it is done',
  )
  .option('--batch-size <n>', 'keys per transaction', positiveIntegerArgument, 500)
  .action(({ batchSize }: { batchSize: number }) =>
    withRotation((rotation) => rotate(rotation, batchSize)),
  );

/** The database (migrated) and the master keys, for `work`. */
async function withRotation(work: (rotation: MasterKeyRotation) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const embedded = await operatorDatabase({ ...config, logLevel: operatorLogging(config) });
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  // The operator's command: the maintenance statement timeout, and one connection.
  const timeouts = {
    ...config.database,
    statementTimeoutMs: config.database.maintenanceStatementTimeoutMs,
  };
  let pool: pg.Pool | undefined;
  try {
    await migrate(databaseUrl, config.database);
    pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      application_name: 'chronicle-keys',
      ...sessionOptions(timeouts),
    });
    const { key, previous } = config.masterKey;
    const rotation = new MasterKeyRotation(pool, new MasterKeys(key, previous));
    await work(rotation);
  } finally {
    await pool?.end();
    await embedded?.stop();
  }
}

async function rotate(rotation: MasterKeyRotation, batchSize: number): Promise<void> {
  const started = Date.now();
  let lastLine = 0;
  const result = await rotation.rotate({
    batchSize,
    onProgress: ({ done, total }) => {
      if (Date.now() - lastLine < 1000) return;
      lastLine = Date.now();
      process.stdout.write(`re-wrapped ${count(done)}/${count(total)} keys\n`);
    },
  });
  const { status } = result;
  process.stdout.write(
    `Re-wrapped ${count(result.rewrapped)} keys in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `all ${count(status.byKey.find((c) => c.role === 'current')?.keys ?? 0)} live keys are under master key ` +
      `${status.currentId}` +
      (result.changedMeanwhile > 0
        ? ` (${count(result.changedMeanwhile)} erased or re-wrapped by another run meanwhile)`
        : '') +
      `; ${count(status.erased)} erased.\n`,
  );
}

function printStatus(status: MasterKeyStatus): void {
  console.table([
    ...status.byKey.map(({ keyId, role, keys }) => ({
      'master key': keyId ?? '(none: wrapped before key ids)',
      role,
      keys,
    })),
    { 'master key': '(erased)', role: '-', keys: status.erased },
  ]);
  process.stdout.write(`CHRONICLE_MASTER_KEY is ${status.currentId}.\n`);
}

function count(n: number): string {
  return n.toLocaleString('en');
}

runCli('keys', program);
