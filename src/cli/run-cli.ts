import { ConfigError } from '../config/config.js';

/** A wrong command line: answered with the usage and exit code 2. */
export class UsageError extends Error {}

/** Runs an operator's command and exits with its code; an error is one line on stderr (exit 1). */
export function runCli(
  name: string,
  usage: string,
  main: (argv: string[]) => Promise<number>,
): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UsageError) process.stderr.write(`${message}\n\n${usage}\n`);
      else if (error instanceof ConfigError)
        process.stderr.write(`Invalid configuration: ${message}\n`);
      else process.stderr.write(`${name}: ${message}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

export function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing <${what}>`);
  return value;
}

/** A positive integer written in digits only (Number() would also take 0x10, 1e3 or " 7"); NaN otherwise. */
export function positiveInteger(text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) && value >= 1 ? value : NaN;
}
