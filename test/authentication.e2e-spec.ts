import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { RunningApp } from '../src/app.factory.js';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from '../src/config/config.js';
import { customerIdOf } from '../src/identity/principal.js';
import { expectProblem } from './support/accounts-api.js';
import { issuer, tokenFor } from './support/auth.js';
import request from './support/http.js';
import { startTestApp, testConfig } from './support/test-app.js';

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token signed with `key` (ES256 unless said), the development issuer's claims unless overridden. */
function signed(
  key: CryptoKey,
  claims: JWTPayload,
  header: { alg?: string; kid?: string } = {},
): Promise<string> {
  return new SignJWT({
    iss: DEVELOPMENT_ISSUER,
    aud: DEVELOPMENT_AUDIENCE,
    exp: now() + 600,
    roles: ['teller'],
    ...claims,
  })
    .setProtectedHeader({ alg: header.alg ?? 'ES256', ...(header.kid && { kid: header.kid }) })
    .sign(key);
}

function expectUnauthorized(res: {
  status: number;
  headers: Record<string, string>;
  text: string;
}) {
  const problem = expectProblem(res as never, 401, 'unauthorized');
  expect(res.headers['www-authenticate']).toMatch(
    /^Bearer realm="chronicle", error="invalid_token", error_description="[^"]+"$/,
  );
  return problem;
}

describe('authentication: every route but /health and /metrics needs a verified bearer token', () => {
  let running: RunningApp;
  const http = (token?: string) => request(running.app.getHttpServer(), token);
  const route = '/accounts/0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d';
  const teller = () => tokenFor(`teller-${randomUUID()}`, ['teller']);

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('answers 401 problem+json with a Bearer challenge to an anonymous request', async () => {
    const res = await http().get(route).unset('Authorization');
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="chronicle"');
    await http().post('/accounts').unset('Authorization').send({}).expect(401);
  });

  it('knows the caller before it reads consistentWith: an anonymous read-your-writes is a 401, never a 400 or a wait', async () => {
    for (const consistentWith of ['abc', '999999999'])
      expectProblem(
        await http().get(route).unset('Authorization').query({ consistentWith }),
        401,
        'unauthorized',
      );
  });

  it('serves /health and /metrics without a token', async () => {
    await http().get('/health').unset('Authorization').expect(200);
    await http().get('/metrics').unset('Authorization').expect(200);
  });

  it('takes a valid token: an unknown account is then a 404, not a 401', async () => {
    expectProblem(await http(teller()).get(route), 404, 'account-not-found');
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const unsigned = new UnsecuredJWT({ roles: ['admin'] })
      .setSubject('mallory')
      .setIssuer(DEVELOPMENT_ISSUER)
      .setAudience(DEVELOPMENT_AUDIENCE)
      .setExpirationTime('10m')
      .encode();
    expectUnauthorized(await http(unsigned).get(route));
    // The same with an empty signature part some libraries accept.
    expectUnauthorized(await http(`${unsigned.slice(0, -1)}.`).get(route));
  });

  it('refuses HS256 "signed" with the public key as the HMAC secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(issuer.publicKeyPem);
    const forged = await new SignJWT({
      roles: ['admin'],
      iss: DEVELOPMENT_ISSUER,
      aud: DEVELOPMENT_AUDIENCE,
    })
      .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
      .setSubject('mallory')
      .setExpirationTime('10m')
      .sign(secret);
    expectUnauthorized(await http(forged).get(route));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [head, body, signature] = tokenFor('carol', ['customer']).split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as JWTPayload;
    const escalated = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString(
      'base64url',
    );
    expectUnauthorized(await http(`${head}.${escalated}.${signature}`).get('/admin/projections'));
  });

  it('refuses a token signed by a key it does not trust', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectUnauthorized(await http(await signed(privateKey, { sub: 'mallory' })).get(route));
  });

  it('refuses an expired token, and one not valid yet, beyond the clock skew; accepts within it', async () => {
    const expired = tokenFor('dave', ['teller'], { claims: { exp: now() - 120 } });
    expect(expectUnauthorized(await http(expired).get(route)).detail).toBe('The token has expired');
    const early = tokenFor('dave', ['teller'], { claims: { nbf: now() + 120 } });
    expectUnauthorized(await http(early).get(route));
    // 30 s of skew by default: a token 10 s past its exp, or 10 s before its nbf, still passes.
    const skewed = tokenFor('dave', ['teller'], { claims: { exp: now() - 10, nbf: now() + 10 } });
    expectProblem(await http(skewed).get(route), 404, 'account-not-found');
  });

  it('refuses a token for another issuer or another audience', async () => {
    for (const claims of [{ iss: 'https://evil.example' }, { aud: 'another-service' }]) {
      expectUnauthorized(await http(tokenFor('erin', ['teller'], { claims })).get(route));
    }
  });

  it('refuses a token without a subject, or with one that cannot be stored', async () => {
    for (const sub of [undefined, '', 'a\u0000b', '\ud800', 'x'.repeat(256)]) {
      const token = tokenFor('placeholder', ['teller'], { claims: { sub } });
      expectUnauthorized(await http(token).get(route));
    }
  });

  it('refuses what is not one Bearer token', async () => {
    const token = teller();
    for (const header of [
      token,
      `Basic ${token}`,
      `Bearer ${token} ${token}`,
      'Bearer',
      `Bearer ${'a'.repeat(9000)}`,
    ]) {
      const res = await http().get(route).set('Authorization', header);
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="chronicle", error="invalid_/);
    }
  });

  it('answers 403 forbidden when the roles do not allow the route, 401 before that for a bad token', async () => {
    const customer = tokenFor(randomUUID(), ['customer']);
    expectProblem(
      await http(customer).post('/admin/projections/accounts/rebuild'),
      403,
      'forbidden',
    );
    expectProblem(await http(tokenFor('nobody', [])).get(route), 403, 'forbidden');
  });

  it('stops trusting a remembered token at its exp', async () => {
    const strict = await startTestApp({ auth: { ...testConfig().auth, clockSkewSeconds: 0 } });
    try {
      const token = tokenFor('frank', ['teller'], { claims: { exp: now() + 2 } });
      const call = () => request(strict.app.getHttpServer(), token).get(route);
      expectProblem(await call(), 404, 'account-not-found');
      await sleep(3_100);
      expectUnauthorized(await call());
    } finally {
      await strict.close();
    }
  });

  it("records the token's subject and client as the actor of events; X-Actor is ignored", async () => {
    const customer = randomUUID();
    const token = tokenFor(customer, ['customer'], { clientId: 'mobile-app' });
    const opened = await http(token)
      .post('/accounts')
      .set('X-Actor', 'mallory')
      .send({ ownerName: 'Grace', currency: 'EUR' })
      .expect(201);
    const events = await http(teller()).get(`/accounts/${opened.body.id}/events`).expect(200);
    expect(events.body.items[0].metadata).toMatchObject({ actor: customer, client: 'mobile-app' });
    expect(JSON.stringify(events.body)).not.toContain('mallory');
  });

  it('takes a UUID subject in any letter case as one principal: one customer, one actor, one key scope', async () => {
    const sub = randomUUID();
    const key = `case-${randomUUID()}`;
    const open = (spelling: string) =>
      http(tokenFor(spelling, ['customer']))
        .post('/accounts')
        .set('Idempotency-Key', key)
        .send({ ownerName: 'Kim', currency: 'EUR' })
        .expect(201);
    const first = await open(sub);
    const again = await open(sub.toUpperCase());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const events = await http(teller()).get(`/accounts/${first.body.id}/events`).expect(200);
    expect(events.body.items[0].metadata.actor).toBe(sub);
  });

  it("refuses a padded spelling of a token, and never lets a subject take another subject's customer", async () => {
    const token = tokenFor(randomUUID(), ['teller']);
    expectProblem(
      await http().get(route).set('Authorization', `Bearer ${token}==`),
      401,
      'unauthorized',
    );
    const victim = tokenFor(`auth0|${randomUUID()}`, ['customer']);
    const opened = await http(victim)
      .post('/accounts')
      .send({ ownerName: 'Victim', currency: 'EUR', initialDeposit: 50_000 })
      .expect(201);
    const events = await http(teller()).get(`/accounts/${opened.body.id}/events`).expect(200);
    const ownerId = events.body.items[0].data.ownerId as string;
    for (const spelling of [ownerId, ownerId.toUpperCase()]) {
      const attacker = tokenFor(spelling, ['customer']);
      expectProblem(
        await http(attacker).get(`/accounts/${opened.body.id}`),
        404,
        'account-not-found',
      );
    }
  });

  it('scopes Idempotency-Key to the principal: two customers with one key never share an answer', async () => {
    const key = `shared-${randomUUID()}`;
    const open = (sub: string) =>
      http(tokenFor(sub, ['customer']))
        .post('/accounts')
        .set('Idempotency-Key', key)
        .send({ ownerName: 'Heidi', currency: 'EUR' })
        .expect(201);
    const first = await open(randomUUID());
    const second = await open(randomUUID());
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('scopes Idempotency-Key to the client too: one subject through two clients runs two commands', async () => {
    const key = `shared-${randomUUID()}`;
    const subject = randomUUID();
    const open = (clientId: string) =>
      http(tokenFor(subject, ['customer'], { clientId }))
        .post('/accounts')
        .set('Idempotency-Key', key)
        .send({ ownerName: 'Heidi', currency: 'EUR' })
        .expect(201);
    const web = await open('web-app');
    const mobile = await open('mobile-app');
    expect(mobile.headers['idempotent-replayed']).toBeUndefined();
    expect(mobile.body.id).not.toBe(web.body.id);
    // The same client again is a replay of its own answer.
    const again = await open('web-app');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(web.body.id);
  });
});

describe('authentication against an identity provider: JWKS, its rotation, custom claims', () => {
  let jwks: Server;
  let keys: JWK[] = [];
  let fetches = 0;
  let running: RunningApp;
  const ISSUER = 'https://idp.example/realms/shop';
  const AUDIENCE = 'chronicle-api';
  const route = '/accounts/0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d';

  async function keyPair(kid: string, alg = 'RS256') {
    const pair = await generateKeyPair(alg, { extractable: true });
    return { ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
  }
  const token = (key: CryptoKey, kid: string, claims: JWTPayload = {}) =>
    signed(
      key,
      {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: `auth0|${randomUUID()}`,
        roles: undefined,
        realm_access: { roles: ['teller', 'offline_access'] },
        ...claims,
      },
      { alg: 'RS256', kid },
    );

  beforeAll(async () => {
    jwks = createServer((req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    running = await startTestApp({
      auth: {
        keys: { kind: 'jwks', url: `http://127.0.0.1:${port}/realms/shop/certs` },
        issuer: ISSUER,
        audience: AUDIENCE,
        rolesClaim: 'realm_access.roles',
        clockSkewSeconds: 30,
        jwksCooldownSeconds: 0,
        jwksMaxAgeSeconds: 600,
      },
    });
  });
  afterAll(async () => {
    await running.close();
    jwks.close();
  });
  const http = (bearerToken: string) => request(running.app.getHttpServer(), bearerToken);

  it('verifies against the JWKS, fetched once and cached', async () => {
    const a = await keyPair('key-a');
    keys = [a.jwk];
    expectProblem(
      await http(await token(a.privateKey, 'key-a')).get(route),
      404,
      'account-not-found',
    );
    const before = fetches;
    for (let i = 0; i < 5; i += 1) {
      await http(await token(a.privateKey, 'key-a'))
        .get(route)
        .expect(404);
    }
    expect(fetches).toBe(before);
  });

  it('honours a key rotation at the provider: a new key is fetched, a removed one is refused', async () => {
    const a = await keyPair('key-a2');
    const b = await keyPair('key-b');
    keys = [a.jwk];
    await http(await token(a.privateKey, 'key-a2'))
      .get(route)
      .expect(404);
    keys = [b.jwk];
    await http(await token(b.privateKey, 'key-b'))
      .get(route)
      .expect(404);
    expectUnauthorized(await http(await token(a.privateKey, 'key-a2')).get(route));
  });

  it('reads roles from the configured claim, and gives a non-UUID subject a stable customer id', async () => {
    const c = await keyPair('key-c');
    keys = [c.jwk];
    const sub = `auth0|${randomUUID()}`;
    const customer = await token(c.privateKey, 'key-c', {
      sub,
      realm_access: { roles: ['customer'] },
    });
    const opened = await http(customer)
      .post('/accounts')
      .send({ ownerName: 'Ivan', currency: 'EUR' })
      .expect(201);
    const events = await http(await token(c.privateKey, 'key-c'))
      .get(`/accounts/${opened.body.id}/events`)
      .expect(200);
    expect(events.body.items[0].metadata.actor).toBe(sub);
    expect(customerIdOf(sub)).toMatch(/^[0-9a-f-]{36}$/);
    expect(customerIdOf(sub)).toBe(customerIdOf(sub));
    // The top-level `roles` claim is not where this provider puts roles: it grants nothing.
    const elsewhere = await token(c.privateKey, 'key-c', { roles: ['admin'], realm_access: {} });
    expectProblem(await http(elsewhere).get('/admin/projections'), 403, 'forbidden');
  });

  it('refuses a token whose algorithm does not match its key (an ES256 token for an RSA kid)', async () => {
    const d = await keyPair('key-d');
    keys = [d.jwk];
    const other = await generateKeyPair('ES256');
    expectUnauthorized(
      await http(
        await signed(other.privateKey, { iss: ISSUER, aud: AUDIENCE, sub: 'x' }, { kid: 'key-d' }),
      ).get(route),
    );
  });

  it('answers 503 identity-provider-unavailable, promptly, when the JWKS cannot be fetched', async () => {
    const e = await keyPair('key-e');
    keys = [];
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
    jwks.closeAllConnections();
    const started = Date.now();
    const res = await http(await token(e.privateKey, 'key-e')).get(route);
    expectProblem(res, 503, 'identity-provider-unavailable');
    expect(res.headers['retry-after']).toBe('5');
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

describe('the public key of an identity provider (AUTH_PUBLIC_KEY)', () => {
  it('verifies tokens signed by its private key', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const running = await startTestApp({
      auth: {
        ...testConfig().auth,
        keys: { kind: 'public-key', pem: await exportSPKI(pair.publicKey) },
      },
    });
    try {
      const good = await signed(pair.privateKey, { sub: 'judy' }, { alg: 'RS256' });
      expectProblem(
        await request(running.app.getHttpServer(), good).get(
          '/accounts/0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
        ),
        404,
        'account-not-found',
      );
      // The development issuer's tokens mean nothing to it.
      expectUnauthorized(
        await request(running.app.getHttpServer(), tokenFor('judy', ['teller'])).get(
          '/accounts/0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
        ),
      );
    } finally {
      await running.close();
    }
  });
});
