import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/config.js';

/**
 * An operator's command line (commander): `--help` and `help <command>` print the usage (exit 0); an unknown
 * command or option, a missing or extra argument prints what is wrong and the usage (exit 2).
 */
export function cli(script: string, environment: string): Command {
  return new Command(`npm run ${script} --`)
    .helpCommand(true)
    .showHelpAfterError()
    .addHelpText('after', `\n${environment}`)
    .exitOverride();
}

/** Runs the command and exits with the code its action set; an error is one line on stderr (exit 1). */
export function runCli(name: string, program: Command): void {
  program.parseAsync(process.argv).then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ConfigError) process.stderr.write(`Invalid configuration: ${message}\n`);
      else process.stderr.write(`${name}: ${message}\n`);
      process.exit(1);
    },
  );
}

/** A positive integer written in digits only (Number() would also take 0x10, 1e3 or " 7"); NaN otherwise. */
export function positiveInteger(text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) && value >= 1 ? value : NaN;
}

/** commander's parser of a positive integer argument or option value. */
export function positiveIntegerArgument(text: string): number {
  const value = positiveInteger(text);
  if (Number.isNaN(value)) throw new InvalidArgumentError('a positive integer, in digits');
  return value;
}
