// The log of the apps a suite runs in its own process: captured here instead of printed, so a failure a test
// provokes on purpose is asserted, not shown as a red ERROR with a stack trace in a green run.
import { Logger } from '@nestjs/common';
import { setLogDestination } from '../../src/logging/index.js';

export interface LogLine {
  level: string;
  msg?: string;
  context?: string;
  err?: { message?: string; stack?: string };
  [field: string]: unknown;
}

const lines: string[] = [];

/** Every line logged since the last clearLog(), parsed. */
export function capturedLog(): LogLine[] {
  return lines.map((line) => JSON.parse(line) as LogLine);
}

export function clearLog(): void {
  lines.length = 0;
}

// Only inside a suite (Jest's globals are there): a child process a suite forks (app.child.ts) writes its real log
// to stdout, where the suite reads it.
if ('expect' in globalThis) {
  const keep = (line: string) => {
    lines.push(line);
    // A suite that never reads its log keeps only the recent past.
    if (lines.length > 5000) lines.splice(0, lines.length - 1000);
  };
  setLogDestination({ write: (chunk: string) => keep(chunk.trimEnd()) });
  // Nest's static Logger outside any app (a migration of a scratch database, an engine built by hand): the same
  // capture, as the app's lines would be (an app's own logger takes over once it starts).
  const to =
    (level: string) =>
    (message: unknown, ...params: unknown[]) => {
      const context = params[params.length - 1];
      keep(
        JSON.stringify({
          level,
          ...(typeof context === 'string' && { context }),
          msg: message instanceof Error ? message.message : String(message),
        }),
      );
    };
  Logger.overrideLogger({
    log: to('info'),
    error: to('error'),
    warn: to('warn'),
    debug: to('debug'),
    verbose: to('trace'),
    fatal: to('fatal'),
  });
}
