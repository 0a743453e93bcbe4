import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import request, { contractOf } from './support/http.js';
import type { OpenApiContract, Operation } from './support/openapi-contract.js';
import { startTestApp } from './support/test-app.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Schema {
  $ref?: string;
  type?: string;
  example?: unknown;
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

describe('the OpenAPI document as a contract', () => {
  let running: RunningApp;
  let contract: OpenApiContract;

  beforeAll(async () => {
    running = await startTestApp();
    contract = await contractOf(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  const operations = (): Array<{ method: string; path: string; operation: Operation }> =>
    Object.entries(contract.document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        path,
        operation: item[method],
      })),
    );

  it('fails, in the request helper, an answer the document does not declare', async () => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const problem = { 'content-type': 'application/problem+json' };
    const id = randomUUID();
    const account = {
      ...{ id, ownerName: 'Ada', currency: 'EUR', balance: 0, version: 1 },
      ...{ openedAt: '2026-11-22T09:00:00.000Z', updatedAt: '2026-11-22T09:00:00.000Z' },
    };
    const answer = (status: number, headers: Record<string, string>, body: unknown) => ({
      status,
      headers,
      text: JSON.stringify(body),
    });
    const check = (status: number, headers: Record<string, string>, body: unknown) =>
      contract.violations('GET', `/accounts/${id}?atVersion=1`, answer(status, headers, body));

    expect(check(200, json, account)).toEqual([]);
    expect(check(200, json, { ...account, recordedAt: account.openedAt })).toEqual([]);
    expect(check(200, json, { ...account, ownerEmail: 'ada@example.com' })).not.toEqual([]);
    expect(check(200, json, { ...account, balance: '0' })).not.toEqual([]);
    expect(check(418, problem, { type: '/problems/teapot', title: 'T', status: 418 })).toEqual([
      expect.stringMatching(/^418 is not documented/),
    ]);
    const notFound = { type: '/problems/account-not-found', title: 'A', status: 404 };
    expect(check(404, json, notFound)).toEqual([expect.stringMatching(/problem\+json/)]);
    expect(check(404, problem, notFound)).toEqual([]);
    // Express answers HEAD for every GET route, but the document has no HEAD operation.
    await expect(request(running.app.getHttpServer()).head('/health')).rejects.toThrow(
      /HEAD \/health is not in the document/,
    );
  });

  it('documents every error as application/problem+json, with an example of its own status', () => {
    const wrong: string[] = [];
    for (const { method, path, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content?.['application/problem+json'];
        const examples = Object.entries(media?.examples ?? {});
        if (!media?.schema || examples.length === 0) wrong.push(`${method} ${path} ${status}`);
        for (const [name, { value }] of examples) {
          const problems = contract.valueViolations(media!.schema!, value);
          if ((value as { status?: number }).status !== Number(status)) problems.push('status');
          if (problems.length > 0) wrong.push(`${method} ${path} ${status} ${name}: ${problems}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('documents the pipeline answers of every operation, and idempotency on every command', () => {
    for (const { method, path, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect({ [`${method} ${path}`]: statuses }).toEqual({
        [`${method} ${path}`]: expect.arrayContaining(['400', '500', '503']),
      });
      if (method !== 'get' && method !== 'delete') {
        expect(statuses).toEqual(expect.arrayContaining(['413', '415']));
      }
      if (operation.parameters?.some((p) => p.name === 'consistentWith')) {
        const examples = (status: string) =>
          Object.keys(operation.responses[status].content!['application/problem+json'].examples!);
        expect(examples('400')).toContain('unknown-position');
        expect(examples('503')).toEqual(
          expect.arrayContaining(['consistency-timeout', 'database-unavailable']),
        );
      }
      if (operation.parameters?.some((p) => p.name === 'Idempotency-Key')) {
        expect(
          operation.responses['422'].content!['application/problem+json'].examples,
        ).toHaveProperty('idempotency-key-reused');
      }
    }
  });

  it('declares resource ids in paths as uuids', () => {
    // Ids that are text by nature: a catalogue's product, a stream (`account-<uuid>`), a client's correlation id.
    const textIds = new Set(['productId', 'streamId', 'correlationId']);
    const ids = operations().flatMap(({ method, path, operation }) =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'path' && /^(id|\w+Id)$/.test(p.name) && !textIds.has(p.name))
        .map((p) => `${method} ${path} ${p.name}: ${p.schema?.format}`),
    );
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((line) => !line.endsWith(': uuid'))).toEqual([]);
  });

  it('pre-fills nothing optional in Swagger UI: no optional parameter carries an example', () => {
    const prefilled = operations().flatMap(({ method, path, operation }) =>
      (operation.parameters ?? [])
        .filter((p) => !p.required && (p.example !== undefined || p.schema?.example !== undefined))
        .map((p) => `${method} ${path} ${p.in}:${p.name}`),
    );
    expect(prefilled).toEqual([]);
  });

  it('takes every request body as Swagger UI fills it in: its examples pass validation', async () => {
    const schemas = contract.document.components.schemas as Record<string, Schema>;
    const exampleOf = (schema: Schema): unknown => {
      if (schema.$ref) return exampleOf(schemas[schema.$ref.split('/').pop()!]);
      if (schema.example !== undefined) return schema.example;
      if (schema.allOf) return exampleOf(schema.allOf[0]);
      if (schema.type === 'array') return [exampleOf(schema.items!)];
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, p]) => [name, exampleOf(p)]),
      );
    };
    const pathValue = (name: string) =>
      ({ productId: 'sku-4711', name: 'accounts' })[name] ?? randomUUID();

    const refused: string[] = [];
    let sent = 0;
    for (const { method, path, operation } of operations()) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(name));
      const res = await request(running.app.getHttpServer())
        [method as 'post'](url)
        .send(exampleOf(schema) as object);
      sent += 1;
      if (res.body.type === '/problems/validation-failed') {
        refused.push(`${method} ${path}: ${JSON.stringify(res.body.errors)}`);
      }
    }
    expect(sent).toBeGreaterThan(5);
    expect(refused).toEqual([]);
  });

  it('answers every GET as Swagger UI sends it, with only its required parameters, without a 400', async () => {
    const accounts = accountsApi(running.app.getHttpServer());
    const opened = await accounts.open({ initialDeposit: 100 });
    // Only the required parameters are sent, so no consistentWith: wait here until the read model has the account.
    await accounts.account(opened.id, opened.position);
    const pathValue = (name: string) =>
      ({ id: opened.id, customerId: randomUUID(), name: 'accounts' })[name] ?? randomUUID();

    const answers: string[] = [];
    for (const { path, operation } of operations().filter((o) => o.method === 'get')) {
      const required = (operation.parameters ?? []).filter((p) => p.required);
      expect(required.filter((p) => p.in !== 'path')).toEqual([]);
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(name));
      // The contract check of the helper fails any undocumented answer (a 404 for a random id is documented).
      const res = await request(running.app.getHttpServer()).get(url);
      answers.push(`${path} ${res.status}`);
      expect({ path, status: res.status }).toEqual({ path, status: expect.any(Number) });
      expect([path, res.status < 400 || res.status === 404]).toEqual([path, true]);
    }
    expect(answers).toContain('/accounts/{id} 200');
  });
});
