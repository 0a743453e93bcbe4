import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { DevelopmentIssuer } from '../identity/development-issuer.js';
import { ROLES, type Role } from '../identity/principal.js';
import { positiveInteger } from './run-cli.js';

const USAGE = `Usage: npm run token -- --sub <id> --role <${ROLES.join('|')}> [--role ...] [--client <id>] [--ttl <seconds>]

Prints a bearer token signed by the development issuer (the key pair in AUTH_DEV_ISSUER_DIR, .data/dev-issuer),
which the app trusts when neither AUTH_JWKS_URL nor AUTH_PUBLIC_KEY is set. Not in production: there tokens come
from your identity provider.

  curl -H "Authorization: Bearer $(npm run --silent token -- --sub alice --role customer)" localhost:3000/orders`;

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sub: { type: 'string' },
        role: { type: 'string', multiple: true },
        client: { type: 'string' },
        ttl: { type: 'string', default: '3600' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const roles = values.role ?? [];
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  const ttl = positiveInteger(values.ttl!);
  if (!values.sub || roles.length === 0 || unknown.length > 0 || Number.isNaN(ttl)) {
    if (unknown.length > 0) process.stderr.write(`Unknown role: ${unknown.join(', ')}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { keys } = loadConfig().auth;
  if (keys.kind !== 'development') {
    process.stderr.write(
      'The app verifies tokens from AUTH_JWKS_URL or AUTH_PUBLIC_KEY: get a token from that identity provider\n',
    );
    return 1;
  }
  const token = DevelopmentIssuer.open(keys.dir).issue({
    sub: values.sub,
    roles: roles as Role[],
    clientId: values.client,
    expiresIn: ttl,
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? 'Invalid configuration: ' : ''}${(error as Error).message}\n`,
  );
  process.exitCode = 1;
}
