import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import supertest from 'supertest';
import { bearer, DEFAULT_TOKEN } from './support/auth.js';
import type { RunningApp } from '../src/app.factory.js';
import { ADDRESS } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { contractOf } from './support/http.js';
import type { OpenApiContract, Operation } from './support/openapi-contract.js';
import { startTestApp } from './support/test-app.js';

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  properties?: Record<string, Schema>;
};

/** One command as a hostile client sends it. */
interface Command {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const COMMAND_METHODS = ['post', 'put', 'patch', 'delete'] as const;
const HOSTILE = ['\u0000', '\ud800', '\udfff', '\udc00\ud800', '\ufffe', '\uffff', '\u202e'];

/** Any string: every code point, lone surrogates and NUL mixed in, now and then too large for the body limit. */
const anyString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom(...HOSTILE),
        fc.string({ maxLength: 10 }),
      )
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(5000), 'y'.repeat(120 * 1024)) },
);

const anyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 1, 1e12, 1e12 + 1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -0, 1e308),
);

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 4, arbitrary: anyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { a: '\u0000' }) },
);

const anyKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'version', 'a\u0000', '\ud800'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** A header value Node's client can send: tab, printable ASCII and Latin-1. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'ab-_.:@ 9"/é\t*'), maxLength: 20 }),
  fc.constantFrom('"1"', '"2"', '"999"', 'W/"1"', '*', 'key-1', 'key-2', 'x'.repeat(300)),
);

/** Percent-encodes the UTF-8 bytes of a path segment (a lone surrogate becomes U+FFFD, as any client sends it). */
function segment(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** The suites' customer with every role: the fuzz is about input, not access. */
const authorized = (running: RunningApp) =>
  supertest.agent(running.app.getHttpServer()).set('Authorization', bearer(DEFAULT_TOKEN));

describe('every command, driven with arbitrary strings and numbers', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let contract: OpenApiContract;
  const ids: Record<string, string[]> = { accounts: [], carts: [], customers: [] };

  beforeAll(async () => {
    // A database of its own: afterwards every projection must be live, whatever the other suites left.
    scratch = await scratchDatabase();
    running = await startTestApp({ databaseUrl: scratch.url });
    contract = await contractOf(running.app.getHttpServer());
    const http = () => authorized(running);
    // The carts are the suites' customer's; the customer ids fuzzed for erasure are others' (the admin role erases them).
    ids.customers.push(randomUUID(), randomUUID());
    for (let i = 0; i < 3; i++) {
      const account = await http()
        .post('/accounts')
        .send({ ownerName: `Fuzz ${i}`, currency: 'EUR', initialDeposit: 1_000_000 })
        .expect(201);
      ids.accounts.push(account.body.id);
      const cart = await http().post('/carts').send({}).expect(201);
      ids.carts.push(cart.body.id);
      await http()
        .post(`/carts/${cart.body.id}/items`)
        .send({ productId: 'sku-1', quantity: 1, unitPrice: 100, currency: 'EUR' })
        .expect(201);
      await http().put(`/carts/${cart.body.id}/shipping`).send(ADDRESS).expect(200);
    }
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref
      ? (contract.document.components.schemas[schema.$ref.split('/').pop()!] as Schema)
      : schema;

  /** Mostly a value the schema takes (so that commands get past validation and reach the store), else anything. */
  const valueFor = (schema: Schema | undefined): fc.Arbitrary<unknown> => {
    const valid: fc.Arbitrary<unknown>[] = [];
    if (schema?.enum) valid.push(fc.constantFrom(...schema.enum));
    else if (schema?.example !== undefined) valid.push(fc.constant(schema.example));
    if (schema?.type === 'integer')
      valid.push(
        fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1e6, 1e6) }),
      );
    if (schema?.type === 'string' && !schema.enum && !schema.pattern)
      valid.push(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }));
    const hostile =
      typeof schema?.example === 'string'
        ? fc.constantFrom(...HOSTILE).map((bad) => `${schema.example}${bad}`)
        : anyValue;
    return valid.length > 0
      ? fc.oneof(
          { weight: 6, arbitrary: fc.oneof(...valid) },
          { weight: 1, arbitrary: hostile },
          { weight: 1, arbitrary: anyValue },
        )
      : anyValue;
  };

  /** An id for a path parameter: one that exists, an unknown uuid, or any string at all. */
  const paramFor = (template: string, name: string): fc.Arbitrary<string> => {
    const known =
      name === 'productId'
        ? ['sku-1']
        : name === 'customerId'
          ? ids.customers
          : template.startsWith('/accounts')
            ? ids.accounts
            : template.startsWith('/carts')
              ? ids.carts
              : [];
    const other = [
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: anyString.filter((s) => s.length > 0 && s.length < 200) },
    ];
    return known.length > 0
      ? fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...known) }, ...other)
      : fc.oneof(...other);
  };

  const bodyFor = (operation: Operation): fc.Arbitrary<string | undefined> => {
    const schema = resolve(operation.requestBody?.content['application/json']?.schema as Schema);
    if (!schema)
      return fc.option(fc.constantFrom('{}', 'null', '[]', '{"x":1}'), { nil: undefined });
    const fields = Object.entries(resolve(schema)?.properties ?? {});
    const object = fc
      .tuple(
        fc.record(
          Object.fromEntries(fields.map(([name, property]) => [name, valueFor(resolve(property))])),
          { requiredKeys: [] },
        ),
        fc.dictionary(anyKey, anyValue, { minKeys: 1, maxKeys: 2 }),
        fc.nat(5).map((n) => n === 0),
      )
      .map(([known, unknown, withUnknown]) =>
        JSON.stringify(withUnknown ? { ...known, ...unknown } : known),
      );
    return fc.oneof(
      { weight: 12, arbitrary: object },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'null',
          '12',
          '"text"',
          '[]',
          '{"amount":1e400}',
          '{"amount":',
          '{"__proto__":{"amount":1}}',
          `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        ),
      },
    );
  };

  const commandsOf = (): fc.Arbitrary<Command>[] =>
    Object.entries(contract.document.paths)
      .filter(([template]) => !template.startsWith('/admin'))
      .flatMap(([template, item]) =>
        COMMAND_METHODS.filter((method) => item[method]).map((method) => {
          const operation = item[method] as Operation;
          const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
          return fc
            .record({
              params: fc.tuple(...names.map((name) => paramFor(template, name))),
              body: method === 'delete' ? fc.constant(undefined) : bodyFor(operation),
              headers: fc.oneof(
                { weight: 3, arbitrary: fc.constant({}) },
                {
                  weight: 1,
                  arbitrary: fc.dictionary(
                    fc.constantFrom('Idempotency-Key', 'If-Match', 'X-Correlation-Id'),
                    headerValue,
                    { minKeys: 1, maxKeys: 2 },
                  ),
                },
              ),
            })
            .map(({ params, body, headers }) => ({
              method,
              path: names.reduce(
                (path, name, i) => path.replace(`{${name}}`, segment(params[i])),
                template,
              ),
              headers,
              body,
            }));
        }),
      );

  it('answers a 2xx or a documented 4xx, never a 5xx; afterwards every projection is live', async () => {
    const commands = commandsOf();
    expect(commands.length).toBeGreaterThanOrEqual(11);
    const statuses = new Map<number, number>();
    const http = authorized(running);

    await fc.assert(
      fc.asyncProperty(fc.oneof(...commands), async (command) => {
        let test = http[command.method as 'post'](command.path);
        for (const [name, value] of Object.entries(command.headers)) test = test.set(name, value);
        if (command.body !== undefined) {
          test = test.set('Content-Type', 'application/json').send(command.body);
        }
        const res = await test;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const violations = contract.violations(command.method, command.path, res);
        if (res.status >= 500 || violations.length > 0) {
          throw new Error(
            `${command.method.toUpperCase()} ${command.path} → ${res.status}: ${violations.join('; ')}\n` +
              `${res.text.slice(0, 400)}`,
          );
        }
      }),
      { numRuns: 600, interruptAfterTimeLimit: 30_000, endOnFailure: true },
    );

    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    const accepted = [...statuses].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0);
    expect(answered).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(0);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);

    await eventually(async () => {
      const res = await authorized(running).get('/admin/projections').expect(200);
      const notLive = (
        res.body.projections as Array<{ name: string; status: string; lastError: string | null }>
      ).filter((p) => p.status !== 'live');
      expect(notLive).toEqual([]);
    }, 20_000);
  }, 90_000);
});
