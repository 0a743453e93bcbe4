import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from '../config/config.js';
import type { Role } from './principal.js';

interface StoredKeyPair {
  kid: string;
  privateKey: string;
  publicKey: string;
}

export interface DevelopmentToken {
  sub: string;
  roles: readonly Role[];
  /** Lifetime in seconds (default one hour). */
  expiresIn?: number;
  clientId?: string;
  /** Extra or overriding claims, for tests of what a verifier must refuse. */
  claims?: Record<string, unknown>;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * The local issuer that lets `npm start` and the tests run with real tokens and no identity provider: an ES256
 * key pair kept in a directory (`.data/dev-issuer`), made on first use. Never in production (config refuses it).
 */
export class DevelopmentIssuer {
  readonly kid: string;
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;

  private constructor(stored: StoredKeyPair) {
    this.kid = stored.kid;
    this.publicKeyPem = stored.publicKey;
    this.privateKey = createPrivateKey(stored.privateKey);
  }

  static open(dir: string): DevelopmentIssuer {
    const file = join(dir, 'issuer.json');
    try {
      return new DevelopmentIssuer(JSON.parse(readFileSync(file, 'utf8')) as StoredKeyPair);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const stored: StoredKeyPair = {
      kid: createHash('sha256').update(publicKey).digest('base64url').slice(0, 16),
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey,
    };
    // Only the issuer's own folder is private: `.data` also holds the embedded PostgreSQL's data, which its
    // server user must reach.
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written aside then renamed: two processes starting at once both end up reading one complete pair.
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, JSON.stringify(stored, null, 2), { mode: 0o600 });
    renameSync(aside, file);
    return new DevelopmentIssuer(JSON.parse(readFileSync(file, 'utf8')) as StoredKeyPair);
  }

  /** A signed token, synchronously (node:crypto), as an identity provider would issue it. */
  issue({ sub, roles, expiresIn = 3600, clientId, claims = {} }: DevelopmentToken): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', kid: this.kid };
    const payload = {
      iss: DEVELOPMENT_ISSUER,
      aud: DEVELOPMENT_AUDIENCE,
      sub,
      roles,
      iat: now,
      exp: now + expiresIn,
      ...(clientId && { azp: clientId }),
      ...claims,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${base64url(signature)}`;
  }
}
