import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { startTestApp } from './support/test-app.js';

interface Schema {
  $ref?: string;
  required?: string[];
  properties?: Record<string, { example?: unknown; type?: string }>;
}
interface Operation {
  security?: Array<Record<string, string[]>>;
  description?: string;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
}

describe('OpenAPI documentation', () => {
  let running: RunningApp;
  let doc: OpenApi;

  beforeAll(async () => {
    running = await startTestApp();
    const res = await request(running.app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body as OpenApi;
  });
  afterAll(() => running.close());

  const requestSchema = (path: string): Schema => {
    const ref = doc.paths[path].post.requestBody?.content['application/json'].schema.$ref;
    expect(ref).toMatch(/^#\/components\/schemas\//);
    return doc.components.schemas[ref!.split('/').pop()!];
  };

  it('is an OpenAPI 3 document with every accounts route', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/accounts',
        '/accounts/{id}',
        '/accounts/{id}/deposits',
        '/accounts/{id}/withdrawals',
        '/accounts/{id}/transactions',
        '/accounts/{id}/events',
      ]),
    );
    expect(Object.keys(doc.paths['/accounts'])).toContain('post');
    expect(Object.keys(doc.paths['/accounts/{id}'])).toContain('get');
  });

  it('offers Authorize with a bearer token, required by every operation but /health (and its probes), /metrics, /asyncapi.json and /console/config.json', async () => {
    expect(doc.components.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const isPublic = [
          '/health',
          '/health/live',
          '/health/ready',
          '/metrics',
          '/asyncapi.json',
          '/console/config.json',
        ].includes(path);
        expect([`${method} ${path}`, operation.security]).toEqual([
          `${method} ${path}`,
          isPublic ? [] : [{ bearer: [] }],
        ]);
        if (!isPublic) {
          expect(operation.description).toMatch(/\*\*Roles:\*\* /);
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
        }
      }
    }
    expect(doc.paths['/accounts/{id}/deposits'].post.description).toContain(
      '**Roles:** customer (their own only), teller.',
    );
    // Swagger UI keeps the token given to Authorize across reloads, so "Try it out" sends it every time.
    const init = await request(running.app.getHttpServer())
      .get('/docs/swagger-ui-init.js')
      .expect(200);
    expect(init.text).toContain('"persistAuthorization": true');
  });

  it('documents the status codes a client must handle', () => {
    expect(Object.keys(doc.paths['/accounts'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400']),
    );
    expect(Object.keys(doc.paths['/accounts/{id}/withdrawals'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '404', '409', '422']),
    );
    expect(Object.keys(doc.paths['/accounts/{id}'].get.responses)).toEqual(
      expect.arrayContaining(['200', '404']),
    );
  });

  it('documents Idempotency-Key, If-Match and consistentWith', () => {
    const headers = (doc.paths['/accounts/{id}/deposits'].post.parameters ?? []).map(
      (p) => `${p.in}:${p.name}`,
    );
    expect(headers).toEqual(
      expect.arrayContaining(['header:Idempotency-Key', 'header:If-Match', 'path:id']),
    );
    const query = (doc.paths['/accounts/{id}'].get.parameters ?? []).map(
      (p) => `${p.in}:${p.name}`,
    );
    expect(query).toContain('query:consistentWith');
    const paging = (doc.paths['/accounts/{id}/transactions'].get.parameters ?? []).map(
      (p) => `${p.in}:${p.name}`,
    );
    expect(paging).toEqual(expect.arrayContaining(['query:limit', 'query:after']));
  });

  it('gives the request bodies their fields with examples', () => {
    const open = requestSchema('/accounts');
    expect(open.required).toEqual(expect.arrayContaining(['ownerName', 'currency']));
    expect(open.properties).toMatchObject({
      ownerName: { example: expect.any(String) },
      currency: { example: expect.stringMatching(/^[A-Z]{3}$/) },
      initialDeposit: { example: expect.any(Number) },
    });

    expect(open.properties!.initialDeposit.type).toBe('integer');

    for (const path of ['/accounts/{id}/deposits', '/accounts/{id}/withdrawals']) {
      const movement = requestSchema(path);
      expect(movement.required).toEqual(['amount']);
      expect(movement.properties).toMatchObject({
        amount: { example: expect.any(Number), type: 'integer' },
      });
      expect(Number.isInteger(movement.properties!.amount.example)).toBe(true);
    }
  });

  it('declares money as integers in the responses too', () => {
    const { AccountResponse, StatementLine } = doc.components.schemas;
    expect(AccountResponse.properties!.balance.type).toBe('integer');
    expect(StatementLine.properties!.amount.type).toBe('integer');
    expect(StatementLine.properties!.balanceAfter.type).toBe('integer');
  });

  it('documents time travel, the balance history and the deposit source', () => {
    const query = (path: string) =>
      (doc.paths[path].get.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(query('/accounts/{id}')).toEqual(
      expect.arrayContaining(['query:asOf', 'query:atVersion', 'query:consistentWith']),
    );
    expect(query('/accounts/{id}/history')).toEqual(
      expect.arrayContaining(['query:fromVersion', 'query:limit']),
    );
    expect(Object.keys(doc.paths['/accounts/{id}/history'].get.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404']),
    );
    const { AccountAsOfResponse, HistoryLine } = doc.components.schemas;
    expect(AccountAsOfResponse.properties!.recordedAt).toBeDefined();
    expect(HistoryLine.properties!.balanceAfter.type).toBe('integer');
    expect(requestSchema('/accounts/{id}/deposits').properties!.source).toMatchObject({
      example: 'transfer',
    });
  });

  it('documents the ETag, 404 and 503 of every versioned read, and the 503 of every read model', () => {
    const responses = (path: string) => doc.paths[path].get.responses;
    for (const path of ['/accounts/{id}', '/carts/{id}', '/orders/{id}', '/shipments/{id}']) {
      expect(Object.keys(responses(path))).toEqual(expect.arrayContaining(['200', '404', '503']));
      expect(responses(path)['200']).toMatchObject({
        headers: { ETag: { description: expect.stringMatching(/^The version in quotes/) } },
      });
    }
    for (const path of [
      '/accounts/{id}/transactions',
      '/orders',
      '/reports/daily-volume',
      '/reports/cart-removals',
      '/reports/orders-by-status',
    ]) {
      expect(responses(path)['503']).toMatchObject({
        description: expect.stringContaining('consistentWith was not reached in time'),
      });
    }
  });

  it('documents X-Read-Source on the answer of every read-model read, and not on the event store reads', () => {
    const readSource = (path: string) =>
      (doc.paths[path].get.responses['200'] as { headers?: Record<string, unknown> }).headers?.[
        'X-Read-Source'
      ];
    for (const path of [
      '/accounts/{id}',
      '/accounts/{id}/transactions',
      '/carts/{id}',
      '/orders',
      '/orders/{id}',
      '/shipments/{id}',
      '/reports/daily-volume',
      '/reports/cart-removals',
      '/reports/orders-by-status',
    ]) {
      expect(readSource(path)).toMatchObject({ schema: { enum: ['replica', 'primary'] } });
    }
    expect(readSource('/accounts/{id}/events')).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain('x-reads-from');
  });

  it('serves Swagger UI as HTML at /docs', async () => {
    const res = await request(running.app.getHttpServer()).get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });
});
