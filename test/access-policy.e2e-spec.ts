import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { ACCESS_POLICY, reachOf } from '../src/identity/access-policy.js';
import { ROLES, type Role } from '../src/identity/principal.js';
import { tokenFor } from './support/auth.js';
import request from './support/http.js';
import { startTestApp } from './support/test-app.js';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

/** Path values that name nothing: an allowed caller gets the route's own answer (404, 400...), never a side effect. */
const PATH_VALUES: Record<string, () => string> = {
  name: () => 'no-such-projection',
  productId: () => 'sku-1',
};

describe('access: every route of the OpenAPI document × every role', () => {
  let running: RunningApp;
  let routes: Array<{ method: (typeof METHODS)[number]; path: string }>;

  beforeAll(async () => {
    running = await startTestApp();
    const document = (await request(running.app.getHttpServer()).get('/docs-json').expect(200))
      .body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ method, path })),
    );
  });
  afterAll(() => running.close());

  const key = (route: { method: string; path: string }) =>
    `${route.method.toUpperCase()} ${route.path}`;

  it('has a rule for every route, and no rule for a route that does not exist', () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.map(key).filter((route) => !(route in ACCESS_POLICY))).toEqual([]);
    expect(Object.keys(ACCESS_POLICY).filter((rule) => !routes.map(key).includes(rule))).toEqual(
      [],
    );
  });

  it('keeps what each role means: customers only their own, auditors only read, tellers only money', () => {
    const rules = Object.entries(ACCESS_POLICY);
    expect(rules.filter(([, policy]) => policy === 'public').map(([route]) => route)).toEqual([
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /asyncapi.json',
      'GET /console/config.json',
    ]);
    const reach = (role: Role) =>
      rules.flatMap(([route, policy]) =>
        policy !== 'public' && policy[role] ? [`${route} ${policy[role]}`] : [],
      );
    expect(reach('customer').filter((rule) => !rule.endsWith(' own'))).toEqual([]);
    expect(reach('auditor').filter((rule) => !/^GET .* any$/.test(rule))).toEqual([]);
    // Read-only on everything: every GET that needs a token, whoever's it is.
    expect(reach('auditor')).toEqual(
      rules
        .filter(([route, policy]) => policy !== 'public' && route.startsWith('GET '))
        .map(([route]) => `${route} any`),
    );
    expect(reach('teller').filter((rule) => !/^(GET|POST) \/accounts\/\{id\}/.test(rule))).toEqual(
      [],
    );
    expect(reach('teller')).not.toContain('DELETE /accounts/{id}/personal-data any');
    expect(
      reach('admin').filter(
        (rule) =>
          !/^(GET|POST) \/admin\//.test(rule) &&
          !/^GET \/(orders|shipments|reports)/.test(rule) &&
          // Which streams exist (ids, types, positions) is operations' too; their events are the auditors'.
          rule !== 'GET /streams any' &&
          !rule.startsWith('POST /shipments/{id}/dispatch') &&
          !/^DELETE .*\/personal-data any$/.test(rule),
      ),
    ).toEqual([]);
  });

  it('answers each role as its rule says: 401 without a token, 403 to a role the rule leaves out', async () => {
    const seen: string[] = [];
    for (const route of routes) {
      const policy = ACCESS_POLICY[key(route)];
      const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        (PATH_VALUES[name] ?? randomUUID)(),
      );
      for (const role of [undefined, ...ROLES] as Array<Role | undefined>) {
        const http = request(
          running.app.getHttpServer(),
          tokenFor(`matrix-${role}`, role ? [role] : []),
        );
        let call = http[route.method](url);
        if (role === undefined) call = call.unset('Authorization');
        if (route.method !== 'get' && route.method !== 'delete') call = call.send({});
        const { status, body } = await call;
        const allowed =
          policy === 'public' ||
          (role !== undefined && reachOf(policy, new Set([role])) !== undefined);
        const expected =
          policy === 'public' ? 'answered' : role === undefined ? 401 : allowed ? 'answered' : 403;
        const got = status === 401 || status === 403 ? status : 'answered';
        seen.push(`${key(route)} as ${role ?? 'anonymous'}: ${got}`);
        if (got !== expected) {
          throw new Error(
            `${key(route)} as ${role ?? 'anonymous'}: expected ${expected}, got ${status} ${JSON.stringify(body).slice(0, 300)}`,
          );
        }
        if (status === 403) expect(body.type).toBe('/problems/forbidden');
      }
    }
    expect(seen.length).toBe(routes.length * (ROLES.length + 1));
  });
});
