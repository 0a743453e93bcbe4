import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/config.js';

/** LOG_LEVEL speaks Nest's names; pino's for the same levels. */
const PINO_LEVEL: Record<AppConfig['logLevel'], LevelWithSilent> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export function pinoLevelOf(level: AppConfig['logLevel']): LevelWithSilent {
  return PINO_LEVEL[level];
}

let destination: DestinationStream | undefined;
let fd: 1 | 2 = 1;
let root: Logger | undefined;
let flush: (() => void) | undefined;

/**
 * Where this process's log goes, set before the first logger is made: the CLIs keep stdout for their output and
 * log to stderr (fd 2); the tests capture the log in memory (test/support/log-capture.ts).
 */
export function setLogDestination(stream: DestinationStream | 1 | 2): void {
  if (root) throw new Error('setLogDestination after the logger was made');
  destination = typeof stream === 'number' ? undefined : stream;
  fd = typeof stream === 'number' ? stream : 1;
}

/**
 * The process's one pino logger (nestjs-pino keeps one per process as well), at LOG_LEVEL. JSON lines, written
 * asynchronously and flushed at exit and by flushLog(); pretty instead in development on a terminal (NODE_ENV
 * unset or development, and the output a TTY), so CI, containers and production always get JSON.
 */
export function appLogger(config: Pick<AppConfig, 'logLevel' | 'nodeEnv'>): Logger {
  const level = pinoLevelOf(config.logLevel);
  if (root) {
    root.level = level;
    return root;
  }
  root = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Nothing logs a request or its headers, but should anything ever do: no credentials, no cookies.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          'res.headers["set-cookie"]',
        ],
        remove: true,
      },
    },
    destination ?? defaultDestination(config.nodeEnv),
  );
  return root;
}

function defaultDestination(nodeEnv: AppConfig['nodeEnv']): DestinationStream {
  if (nodeEnv === 'development' && isatty(fd)) {
    return pretty({
      destination: fd,
      sync: true,
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  }
  const stream = pino.destination({ dest: fd, sync: false });
  flush = () => stream.flushSync();
  return stream;
}

/** Writes out what the asynchronous destination still holds (on close: nothing logged is lost). */
export function flushLog(): void {
  try {
    flush?.();
  } catch {
    // Not ready yet (nothing written) or the descriptor is closed: nothing to flush.
  }
}
