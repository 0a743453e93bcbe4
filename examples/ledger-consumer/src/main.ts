// The ledger consumer as a process: settings from the environment (see README.md), JSON log lines on stdout,
// SIGTERM or SIGINT to stop after the message in hand.
import { ConfigError, loadLedgerConfig } from './config.js';
import { startLedgerConsumer, type Log } from './consumer.js';

const log: Log = (level, message, fields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
};

async function main(): Promise<void> {
  const config = loadLedgerConfig(process.env);
  const consumer = await startLedgerConsumer(config, log);
  const stop = (signal: NodeJS.Signals) => {
    log('info', `${signal}: stopping after the message in hand`);
    // A second signal does not wait.
    process.once(signal, () => process.exit(1));
    consumer.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await consumer.closed;
}

function fail(error: unknown): never {
  log('error', error instanceof ConfigError ? error.message : 'the ledger consumer failed', {
    error:
      error instanceof ConfigError
        ? undefined
        : error instanceof Error
          ? error.stack
          : String(error),
  });
  process.exit(1);
}

main().catch(fail);
