import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `npm run token -- <args>`, from the sources (the suites do not build dist/). */
function token(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', './test/support/ts-register.mjs', 'src/cli/token.ts', ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: 'development', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run token (issue 11)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chronicle-token-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a development token for a subject and its roles', async () => {
    const { code, stdout } = await token(['--sub', 'alice', '--role', 'customer'], {
      AUTH_DEV_ISSUER_DIR: dir,
    });
    expect(code).toBe(0);
    const [, payload] = stdout.trim().split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      sub: 'alice',
      roles: ['customer'],
    });
  });

  it.each([
    ['an unknown role', ['--sub', 'alice', '--role', 'wizard'], /^Unknown role: wizard\nUsage: /],
    ['no subject', ['--role', 'teller'], /^Usage: /],
    ['no role', ['--sub', 'alice'], /^Usage: /],
    [
      'an unknown option',
      ['--sub', 'alice', '--role', 'admin', '--as', 'root'],
      /--as.*\nUsage: /s,
    ],
  ])('refuses %s with exit 2 and the usage, printing no token', async (_, args, message) => {
    const { code, stdout, stderr } = await token(args, { AUTH_DEV_ISSUER_DIR: dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('refuses with exit 1 when the app trusts an identity provider instead', async () => {
    const { code, stdout, stderr } = await token(['--sub', 'alice', '--role', 'customer'], {
      AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      AUTH_ISSUER: 'https://idp.example/',
      AUTH_AUDIENCE: 'chronicle',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/get a token from that identity provider/);
  });
});
