import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem, invalidFields } from './support/accounts-api.js';
import { bearer, DEFAULT_TOKEN } from './support/auth.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { startTestApp } from './support/test-app.js';

const NUL = '\u0000';
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

/** The raw JSON text, so that a lone surrogate is sent as the escape a hostile client writes. */
const json = (value: unknown) => JSON.stringify(value);

describe('input that cannot be stored never gets in', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let accounts: ReturnType<typeof accountsApi>;
  let carts: ReturnType<typeof cartsApi>;
  let accountId: string;

  beforeAll(async () => {
    // A database of its own: the test asserts that every projection stays live.
    scratch = await scratchDatabase();
    running = await startTestApp({ databaseUrl: scratch.url });
    accounts = accountsApi(running.app.getHttpServer());
    carts = cartsApi(running.app.getHttpServer());
    accountId = (await accounts.open({ initialDeposit: 1000 })).id;
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const post = (path: string, body: string) =>
    accounts.http().post(path).set('Content-Type', 'application/json').send(body);

  it.each([
    ['NUL', `Eve${NUL}`],
    ['a lone high surrogate', `Eve${LONE_HIGH}`],
    ['a lone low surrogate', `${LONE_LOW}Eve`],
    ['a surrogate pair reversed', `${LONE_LOW}${LONE_HIGH}`],
  ])('POST /accounts with %s in ownerName: 400 naming it', async (_, ownerName) => {
    const res = await post('/accounts', json({ ownerName, currency: 'EUR' }));
    expect(invalidFields(res)).toEqual(['ownerName']);
    expect(res.body.errors[0].messages[0]).toMatch(/cannot be stored/);
  });

  it('deposits and withdrawals with NUL or a lone surrogate in the description: 400, nothing stored', async () => {
    for (const kind of ['deposits', 'withdrawals']) {
      for (const description of [`a${NUL}b`, LONE_HIGH, `x${LONE_LOW}`]) {
        const res = await post(`/accounts/${accountId}/${kind}`, json({ amount: 1, description }));
        expect(invalidFields(res)).toEqual(['description']);
      }
    }
    expect(await accounts.events(accountId)).toHaveLength(2);
  });

  it('PUT /carts/:id/shipping with NUL in a field: 400 naming each', async () => {
    const { id } = await carts.create();
    const res = await carts
      .http()
      .put(`/carts/${id}/shipping`)
      .send({ ...ADDRESS, name: `Ada${NUL}`, city: `Lon${LONE_HIGH}don` });
    expect(invalidFields(res).sort()).toEqual(['city', 'name']);
  });

  it('names a field nested in objects and arrays, and a field name that cannot be stored', async () => {
    const res = await post(
      `/accounts/${accountId}/deposits`,
      json({ amount: 1, extra: { list: ['ok', `bad${NUL}`] }, [`key${NUL}`]: 1 }),
    );
    expect(invalidFields(res).sort()).toEqual(['extra.list.1', 'key\\u0000']);
    expect(res.text).not.toContain('\\u0000\\u0000');
  });

  it('refuses NUL in a query or path parameter, naming it', async () => {
    expect(
      invalidFields(await accounts.http().get(`/accounts/${accountId}/transactions?limit=1%00`)),
    ).toEqual(['limit']);
    expect(invalidFields(await accounts.http().get(`/orders?status=paid%00`))).toEqual(['status']);
    const { id } = await carts.create();
    expect(invalidFields(await carts.http().delete(`/carts/${id}/items/sku%00-1`))).toEqual([
      'productId',
    ]);
  });

  it('refuses nesting deeper than 32 levels with 400, not a stack overflow, with or without an Idempotency-Key', async () => {
    const deep = `{"amount":1,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(invalidFields(await post(`/accounts/${accountId}/deposits`, deep))).toEqual([
      `x${'.0'.repeat(31)}`,
    ]);
    const res = await post(`/accounts/${accountId}/deposits`, deep).set('Idempotency-Key', 'deep');
    expectProblem(res, 400, 'validation-failed');
  });

  it('lets in what PostgreSQL stores: noncharacters, astral characters, accents', async () => {
    const description = 'caf\u00e9 \ud83d\ude00 \ufffe\uffff \ufdd0';
    const { position } = await accounts.deposit(accountId, 1, description);
    const { lines } = await accounts.statement(accountId, position);
    expect(lines.at(-1)?.description).toBe(description);
  });

  /** Bytes sent as they are, for what no HTTP client sends; everything the server answers until it closes. */
  const exchange = async (request: string): Promise<string> => {
    const server = running.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      return await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request, 'latin1'));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  };

  /** A deposit with these extra header lines, raw: a header holding NUL or another control character. */
  const raw = async (headers: string): Promise<{ head: string; body: string }> => {
    const text = await exchange(
      `POST /accounts/${accountId}/deposits HTTP/1.1\r\nHost: x\r\n${headers}` +
        'Content-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"amount":1}',
    );
    const [head, body] = text.split('\r\n\r\n');
    return { head, body };
  };

  /** The answers in a raw exchange, in order: status line and body of each. */
  const answers = (text: string) =>
    [...text.matchAll(/HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n(\{[^]*?\})(?=HTTP\/1\.1 |$)/g)].map((m) => ({
      status: Number(m[1]),
      body: JSON.parse(m[2]) as Record<string, unknown>,
      head: m[0].slice(0, m[0].indexOf('\r\n\r\n')),
    }));

  it('answers a request pipelined before a malformed one, then refuses the malformed one as a problem', async () => {
    const before = (await accounts.events(accountId)).length;
    const text = await exchange(
      `POST /accounts/${accountId}/deposits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Authorization: ${bearer(DEFAULT_TOKEN)}\r\n` +
        'Content-Length: 12\r\n\r\n{"amount":7}GARBAGE /x HTTP/1.1\r\n\r\n',
    );
    const [deposit, refusal] = answers(text);
    expect(deposit).toMatchObject({ status: 201, body: { id: accountId } });
    expect(refusal).toMatchObject({ status: 400, body: { type: '/problems/malformed-request' } });
    expect(refusal.head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    const events = await accounts.events(accountId);
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ version: deposit.body.version, data: { amount: 7 } });
  });

  it.each([
    ['an unknown method', 'BREW /health HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'malformed-request'],
    [
      'Content-Length with Transfer-Encoding',
      'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'malformed-request',
    ],
    [
      'headers over the limit',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'request-header-fields-too-large',
    ],
  ])('refuses %s with a problem, as documented', async (_, request, status, code) => {
    const [refusal] = answers(await exchange(request));
    expect(refusal).toMatchObject({ status, body: { type: `/problems/${code}`, status } });
    expect(refusal.head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(refusal.head).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
  });

  it.each([
    ['NUL', `a${NUL}b`],
    ['a control character', 'a\u0001b'],
  ])('%s in a header: 400 naming it, before the app runs', async (_, value) => {
    const before = (await accounts.events(accountId)).length;
    const { head, body } = await raw(`X-Correlation-Id: ${value}\r\n`);
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(JSON.parse(body)).toMatchObject({
      type: '/problems/validation-failed',
      status: 400,
      errors: [{ field: 'x-correlation-id', messages: [expect.stringContaining('U+0000')] }],
    });
    expect(await accounts.events(accountId)).toHaveLength(before);
  });

  it('a header the app stores takes only ASCII tokens', async () => {
    const res = await accounts
      .http()
      .post(`/accounts/${accountId}/deposits`)
      .set('X-Correlation-Id', 'caf\u00e9')
      .send({ amount: 1 });
    expect(invalidFields(res)).toEqual(['x-correlation-id']);
  });

  it('every projection is live afterwards, and a later account reads back', async () => {
    const { id, position } = await accounts.open({ ownerName: 'Eve' });
    expect((await accounts.account(id, position)).ownerName).toBe('Eve');
    await eventually(async () => {
      const res = await accounts.http().get('/admin/projections').expect(200);
      const states = (res.body.projections as Array<{ name: string; status: string }>).map(
        (p) => `${p.name}:${p.status}`,
      );
      expect(states.filter((s) => !s.endsWith(':live'))).toEqual([]);
    }, 15_000);
  });
});

describe('request bodies: unknown fields, null, encodings', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let accountId: string;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
    accountId = (await api.open({ initialDeposit: 100 })).id;
  });
  afterAll(() => running.close());

  // The bytes as given: superagent would otherwise serialize a Buffer as JSON.
  const deposit = () =>
    api
      .http()
      .post(`/accounts/${accountId}/deposits`)
      .set('Content-Type', 'application/json')
      .serialize((bytes: Buffer | string) => bytes as string);

  it.each(['__proto__', 'constructor'])(
    '%s is an unknown field like any other: 400 naming it, nothing stored',
    async (key) => {
      const body = `{"amount":1,"${key}":{"isAdmin":true}}`;
      expect(invalidFields(await deposit().send(body))).toEqual([key]);
      const nested = `{"ownerName":"Ada","currency":"EUR","x":{"${key}":1}}`;
      expect(
        invalidFields(
          await api.http().post('/accounts').set('Content-Type', 'application/json').send(nested),
        ),
      ).toEqual(expect.arrayContaining([`x.${key}`]));
      expect(invalidFields(await api.http().get(`/orders?${key}=1`))).toEqual([key]);
      expect(await api.events(accountId)).toHaveLength(2);
    },
  );

  it.each([
    ['null', 'null'],
    ['a number', '12'],
    ['a string', '"hello"'],
    ['a boolean', 'true'],
    ['an array', '[{"amount":1}]'],
  ])('a body that is %s says so', async (what, body) => {
    const res = await deposit().send(body);
    expect(expectProblem(res, 400, 'body-not-an-object').detail).toBe(
      `The request body is ${what}: send a JSON object`,
    );
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])(
    'Content-Encoding: %s with a body that is not so encoded: 400; one that is: 201',
    async (encoding, compress) => {
      const body = Buffer.from('{"amount":1}');
      const plain = await deposit().set('Content-Encoding', encoding).send(body);
      expectProblem(plain, 400, 'invalid-content-encoding');
      const truncated = compress(body).subarray(0, 6);
      expectProblem(
        await deposit().set('Content-Encoding', encoding).send(truncated),
        400,
        'invalid-content-encoding',
      );
      await deposit().set('Content-Encoding', encoding).send(compress(body)).expect(201);
    },
  );

  it('an encoding the parser does not know: 415', async () => {
    const res = await deposit().set('Content-Encoding', 'compress').send('{"amount":1}');
    expectProblem(res, 415, 'unsupported-media-type');
  });
});
