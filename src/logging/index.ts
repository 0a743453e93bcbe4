// Logging's public surface: the module, Nest's logger over pino, and the process's logger for code outside Nest.
export { appLogger, flushLog, setLogDestination } from './app-logger.js';
export { LoggingModule, nestLogger } from './logging.module.js';
export { AppLogger } from './nest-logger.js';
