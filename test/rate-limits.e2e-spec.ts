import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import type { RunningApp } from '../src/app.factory.js';
import type { AppConfig, RateLimitConfig } from '../src/config/config.js';
import { expectProblem } from './support/accounts-api.js';
import { eventually } from './support/eventually.js';
import { bearer, customerToken } from './support/auth.js';
import request from './support/http.js';
import { pgProxy } from './support/pg-proxy.js';
import { parseExposition, sampleValue } from './support/prometheus.js';
import { startTestApp } from './support/test-app.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Every key of this run is under it, and deleted after it. */
const RUN_PREFIX = `chronicle-test:rate-limits:${randomUUID()}:`;
const OUT_OF_THE_WAY = 10_000_000;

const redis = new Redis(REDIS_URL, { lazyConnect: true });
const running: RunningApp[] = [];
let apps = 0;

async function start(
  limits: Partial<RateLimitConfig>,
  more: Partial<AppConfig> = {},
): Promise<Server> {
  const app = await startTestApp({
    rateLimits: {
      perPrincipal: OUT_OF_THE_WAY,
      perIp: OUT_OF_THE_WAY,
      expensive: OUT_OF_THE_WAY,
      redisUrl: undefined,
      keyPrefix: `${RUN_PREFIX}${apps++}:`,
      ...limits,
    },
    ...more,
  });
  running.push(app);
  return app.app.getHttpServer();
}

/** A cheap route every customer may call: someone else's (here nobody's) account is a 404. */
const cheap = (server: Server, token: string) =>
  request(server, token).get(`/accounts/${randomUUID()}`);

function expectRateLimited(res: Response): number {
  expectProblem(res, 429, 'rate-limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  return retryAfter;
}

async function scrape(server: Server, name: string, labels: Record<string, string>) {
  const res = await request(server).get('/metrics').expect(200);
  return sampleValue(parseExposition(res.text), name, labels) ?? 0;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

afterAll(async () => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.each([
  ['in Redis', REDIS_URL],
  ['in memory', undefined],
])('rate limits counted %s', (_, redisUrl) => {
  it('refuses a principal over its limit with 429 rate-limited and Retry-After, and nobody else', async () => {
    const server = await start({ redisUrl, perPrincipal: 3 });
    const alice = customerToken(randomUUID());
    const bob = customerToken(randomUUID());

    for (let i = 0; i < 3; i++) expectProblem(await cheap(server, alice), 404);
    const refused = await cheap(server, alice);
    expectRateLimited(refused);
    expect(JSON.parse(refused.text)).toMatchObject({
      type: '/problems/rate-limited',
      detail: expect.stringMatching(
        /^More than 3 requests a minute came from you: retry in \d+ s$/,
      ),
    });

    expectProblem(await cheap(server, bob), 404);
    expect(
      await scrape(server, 'chronicle_rate_limited_total', { limit: 'principal' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('limits an address across principals, bad tokens included, before the token is checked', async () => {
    const server = await start({ redisUrl, perIp: 4 }, { trustProxyHops: 1 });
    const from = (address: string, token = customerToken(randomUUID())) =>
      cheap(server, token).set('X-Forwarded-For', address);

    for (let i = 0; i < 4; i++) expectProblem(await from('203.0.113.7'), 404);
    expectRateLimited(await from('203.0.113.7'));
    // A forged token would be a 401: the address is refused before the token is looked at.
    expectRateLimited(await from('203.0.113.7', 'not-a-token'));
    expectProblem(await from('198.51.100.9'), 404);
    // Probes and scrapes are never limited.
    await request(server).get('/health').set('X-Forwarded-For', '203.0.113.7').expect(200);
    await request(server).get('/metrics').set('X-Forwarded-For', '203.0.113.7').expect(200);
  });

  it('counts bad tokens against the address', async () => {
    const server = await start({ redisUrl, perIp: 2 });
    for (let i = 0; i < 2; i++)
      expectProblem(
        await request(server)
          .get(`/accounts/${randomUUID()}`)
          .set('Authorization', bearer('x.y.z')),
        401,
      );
    expectRateLimited(await cheap(server, customerToken(randomUUID())));
  });

  it('limits the expensive routes tighter than the cheap ones, time travel only with asOf or atVersion', async () => {
    const server = await start({ redisUrl, expensive: 2, perPrincipal: 20 });
    const alice = customerToken(randomUUID());
    const account = randomUUID();

    expectProblem(await request(server, alice).get(`/accounts/${account}/history`), 404);
    expectProblem(
      await request(server, alice).get(`/accounts/${account}?asOf=2026-11-01T00:00:00Z`),
      404,
    );
    const refused = await request(server, alice).get(`/accounts/${account}/history`);
    expectRateLimited(refused);
    expect(JSON.parse(refused.text).detail).toMatch(
      /^More than 2 requests a minute came from you for time travel/,
    );
    expectRateLimited(await request(server, alice).get(`/accounts/${account}?atVersion=1`));
    // The plain read is cheap: still answered, and so is another principal's expensive call.
    for (let i = 0; i < 5; i++) expectProblem(await cheap(server, alice), 404);
    expectProblem(
      await request(server, customerToken(randomUUID())).get(`/accounts/${account}/history`),
      404,
    );
  });
});

it('does not believe X-Forwarded-For without TRUST_PROXY_HOPS', async () => {
  const server = await start({ perIp: 2 });
  for (const address of ['203.0.113.1', '203.0.113.2'])
    expectProblem(
      await cheap(server, customerToken(randomUUID())).set('X-Forwarded-For', address),
      404,
    );
  expectRateLimited(
    await cheap(server, customerToken(randomUUID())).set('X-Forwarded-For', '203.0.113.3'),
  );
});

it('shares the counts between instances using one Redis', async () => {
  const keyPrefix = `${RUN_PREFIX}shared:`;
  const first = await start({ redisUrl: REDIS_URL, keyPrefix, perPrincipal: 4 });
  const second = await start({ redisUrl: REDIS_URL, keyPrefix, perPrincipal: 4 });
  const alice = customerToken(randomUUID());

  for (const server of [first, second, first, second])
    expectProblem(await cheap(server, alice), 404);
  expectRateLimited(await cheap(first, alice));
  expectRateLimited(await cheap(second, alice));
});

describe('when Redis does not answer, requests are let through at once', () => {
  async function answeredPromptly(server: Server, token: string, times: number) {
    for (let i = 0; i < times; i++) {
      const startedAt = Date.now();
      expectProblem(await cheap(server, token), 404);
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    }
  }

  it('starts and answers with nothing listening at REDIS_URL, and counts what it let through', async () => {
    const startedAt = Date.now();
    const server = await start({
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      perPrincipal: 1,
      perIp: 1,
    });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const alice = customerToken(randomUUID());
    await answeredPromptly(server, alice, 3);
    // Past the second in which a failed Redis is not asked again: asked, it fails again.
    await sleep(1_100);
    await answeredPromptly(server, alice, 2);
    expect(
      await scrape(server, 'chronicle_rate_limit_unenforced_total', { limit: 'principal' }),
    ).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['stopped', 'drop'],
    ['frozen', 'freeze'],
  ] as const)('Redis %s while the app runs', async (_, outage) => {
    const proxy = await pgProxy(REDIS_URL);
    try {
      const server = await start({ redisUrl: proxy.url(REDIS_URL), perPrincipal: 2 });
      const alice = customerToken(randomUUID());
      for (let i = 0; i < 2; i++) expectProblem(await cheap(server, alice), 404);
      expectRateLimited(await cheap(server, alice));

      proxy[outage]();
      await answeredPromptly(server, alice, 5);

      proxy.restore();
      await eventually(async () => void expectRateLimited(await cheap(server, alice)), 10_000);
    } finally {
      await proxy.close();
    }
  });
});
