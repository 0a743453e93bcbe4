import { readFileSync } from 'node:fs';
import { ConfigError } from './env.js';
import { ENVIRONMENT_VARIABLES, validate } from './environment.js';

describe('Environment', () => {
  it('declares exactly the variables the README configuration table documents', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('\n## Configuration\n')[1].split('\n## ')[0];
    const documented = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => line.split('|')[1].match(/[A-Z][A-Z0-9_]+/g) ?? []);
    expect([...documented].sort()).toEqual([...ENVIRONMENT_VARIABLES].sort());
  });

  it('takes an empty or blank variable as unset, and trims the others', () => {
    expect(validate({ PORT: '', LOG_LEVEL: '  ', NATS_STREAM: ' EVENTS ' })).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'log',
      NATS_STREAM: 'EVENTS',
    });
  });

  it('refuses integers in other notations, which Number() would take', () => {
    for (const PORT of ['0x10', '1e3', '8080.0'])
      expect(() => validate({ PORT })).toThrow(
        `PORT must be an integer from 0 to 65535, got "${PORT}"`,
      );
  });

  it('names every bad variable at once, in one line', () => {
    expect(() =>
      validate({ PORT: 'x', LOG_LEVEL: 'loud', READ_DATABASE_URL: 'x:secret@y' }),
    ).toThrow(
      new ConfigError(
        'PORT must be an integer from 0 to 65535, got "x"; ' +
          'READ_DATABASE_URL must be a URL like postgres://user:password@host:5432/database; ' +
          'LOG_LEVEL must be one of error, warn, log, debug, verbose, got "loud"',
      ),
    );
  });
});
