import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevelopmentIssuer } from './development-issuer.js';

describe('DevelopmentIssuer', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'chronicle-issuer-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps one key pair in its folder, private to its user, and leaves the parent folder reachable', () => {
    const dir = join(root, '.data', 'dev-issuer');
    const first = DevelopmentIssuer.open(dir);
    expect(DevelopmentIssuer.open(dir).kid).toBe(first.kid);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'issuer.json')).mode & 0o777).toBe(0o600);
    // `.data` also holds the embedded PostgreSQL's data directory, which its server user must traverse.
    expect(statSync(join(root, '.data')).mode & 0o055).toBe(0o055);
  });

  it('signs an ES256 token with the claims asked for', () => {
    const issuer = DevelopmentIssuer.open(join(root, 'issuer'));
    const token = issuer.issue({ sub: 'ada', roles: ['customer'], clientId: 'cli', expiresIn: 60 });
    const [head, body, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(head, 'base64url').toString())).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: issuer.kid,
    });
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'ada', roles: ['customer'], azp: 'cli' });
    expect(claims.exp - claims.iat).toBe(60);
    const valid = verify(
      'sha256',
      Buffer.from(`${head}.${body}`),
      { key: createPublicKey(issuer.publicKeyPem), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);
  });
});
