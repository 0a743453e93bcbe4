import { QueryRunnerAlreadyReleasedError } from 'typeorm';
/** The database could not be reached or did not answer in time: a request answers 503 database-unavailable. */
export class DatabaseUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailable';
  }
}

/**
 * SQLSTATEs of a server that is going away or cannot serve: connection exceptions (class 08) are matched by
 * prefix. 57014 is a statement cancelled by statement_timeout (or an operator), 25P03 a session ended by
 * idle_in_transaction_session_timeout.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '57P05', '57014', '53300', '25P03']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What pg and pg-pool say, without a code, when a connection ends, times out or is closed. */
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end)/;

/**
 * Whether an error means the database is unreachable, gone or too slow, rather than a fault of the request or
 * of the code: TypeORM's QueryFailedError (driverError) and errors with a cause are looked through.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (current instanceof DatabaseUnavailable) return true;
    const { code, message, errors } = current as {
      code?: unknown;
      message?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string') {
      if (code.startsWith('08') || SERVER_CODES.has(code) || SOCKET_CODES.has(code)) return true;
    }
    if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
    // TypeORM releases a query runner whose connection failed: its transaction's next query fails so.
    if (current instanceof QueryRunnerAlreadyReleasedError) return true;
    // A connection attempt to several addresses fails with an AggregateError of each attempt.
    if (Array.isArray(errors) && errors.some(isDatabaseUnavailable)) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

/** One line for the log: the message, never a stack or a query. */
export function describeDatabaseError(error: unknown): string {
  const driver = (error as { driverError?: unknown } | undefined)?.driverError ?? error;
  const { code, message } = (driver ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : String(driver);
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
