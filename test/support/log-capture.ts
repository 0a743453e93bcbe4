// The log of the apps a suite runs in its own process: captured here instead of printed, so a failure a test
// provokes on purpose is asserted, not shown as a red ERROR with a stack trace in a green run.
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
  setLogDestination({
    write(chunk: string) {
      lines.push(chunk.trimEnd());
      // A suite that never reads its log keeps only the recent past.
      if (lines.length > 5000) lines.splice(0, lines.length - 1000);
    },
  });
}
