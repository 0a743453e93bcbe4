import { CommanderError } from 'commander';
import { cli, positiveInteger, positiveIntegerArgument } from './run-cli.js';

describe('positiveInteger', () => {
  it('takes digits only (issue 13 review: relay replay --from took 0x10 and 1e3)', () => {
    expect(positiveInteger('63622')).toBe(63622);
    for (const text of [
      '0x10',
      '1e3',
      ' 7',
      '7 ',
      '+7',
      '-7',
      '0',
      '1.5',
      '',
      '99999999999999999999',
    ])
      expect(positiveInteger(text)).toBeNaN();
  });
});

describe('an operator command line', () => {
  /** What parsing `argv` ends with: the position taken, or commander's refusal. */
  const parse = (...argv: string[]) => {
    let taken: number | undefined;
    const program = cli('projections', 'Uses DATABASE_URL.').configureOutput({
      writeErr: () => {},
      writeOut: () => {},
    });
    program.command('status').action(() => {});
    program
      .command('skip')
      .argument('<name>')
      .argument('<position>', 'global position', positiveIntegerArgument)
      .action((_name: string, position: number) => {
        taken = position;
      });
    try {
      program.parse(argv, { from: 'user' });
      return { taken };
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      return { refused: error.code, exitCode: error.exitCode };
    }
  };

  it('refuses what the hand-written parsing let through: unknown options, extra arguments, non-digit numbers', () => {
    expect(parse('status', '--bogus')).toEqual({ refused: 'commander.unknownOption', exitCode: 1 });
    expect(parse('status', 'extra')).toEqual({
      refused: 'commander.excessArguments',
      exitCode: 1,
    });
    expect(parse('skip', 'accounts', '0x10')).toEqual({
      refused: 'commander.invalidArgument',
      exitCode: 1,
    });
    expect(parse('skip', 'accounts')).toEqual({
      refused: 'commander.missingArgument',
      exitCode: 1,
    });
    expect(parse('skip', 'accounts', '12')).toEqual({ taken: 12 });
  });
});
