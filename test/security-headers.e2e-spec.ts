import { randomUUID } from 'node:crypto';
import { tokenFor } from './support/auth.js';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { startTestApp } from './support/test-app.js';

/** The CSP's directives by name. */
function csp(header: string | undefined): Record<string, string[]> {
  expect(header).toBeDefined();
  return Object.fromEntries(
    header!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe('security headers on every answer', () => {
  let running: RunningApp;
  let http: () => ReturnType<typeof request>;
  let accountId: string;
  let opened: number;

  beforeAll(async () => {
    running = await startTestApp();
    http = () => request(running.app.getHttpServer());
    const res = await http()
      .post('/accounts')
      .send({ ownerName: 'Ada Lovelace', currency: 'EUR' })
      .expect(201);
    accountId = res.body.id;
    opened = res.body.position;
  });
  afterAll(() => running.close());

  it('API answers, errors included: nosniff, no-store, default-src none, no framing', async () => {
    const answers = [
      await http().get(`/accounts/${accountId}?consistentWith=${opened}`),
      await http().get(`/accounts/${accountId}/events`),
      await http().post(`/accounts/${accountId}/deposits`).send({ amount: 1 }),
      await http().get(`/accounts/${randomUUID()}`),
      await http().get('/nope'),
      await http().post('/accounts').send({ ownerName: 'Ada\u0000', currency: 'EUR' }),
      await http().post('/accounts').set('Content-Type', 'application/json').send('{"ownerName":'),
      await http().post('/accounts').set('Content-Type', 'text/plain').send('x'),
      await http().get('/health'),
      await http().get('/metrics'),
      await http().get('/docs-json'),
    ];
    expect(answers.map((res) => res.status)).toEqual([
      200, 200, 201, 404, 404, 400, 400, 415, 200, 200, 200,
    ]);
    for (const res of answers) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(csp(res.headers['content-security-policy'])).toEqual({
        'default-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
      });
    }
  });

  it('Swagger UI loads under its own CSP: scripts only from this origin, every asset it names is served', async () => {
    const page = await http().get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const policy = csp(page.headers['content-security-policy']);
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['object-src'] ?? policy['default-src']).toEqual(["'none'"]);

    // No inline script: every <script> has a src on this origin, which script-src 'self' allows.
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.\/docs\//);
      expect(body.trim()).toBe('');
    }
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/(docs\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(
      expect.arrayContaining([
        'docs/swagger-ui.css',
        'docs/swagger-ui-bundle.js',
        'docs/swagger-ui-standalone-preset.js',
        'docs/swagger-ui-init.js',
      ]),
    );
    for (const asset of assets) {
      const res = await http().get(`/${asset}`).expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const type = asset.endsWith('.js')
        ? /javascript/
        : asset.endsWith('.css')
          ? /^text\/css/
          : /^image\//;
      expect(res.headers['content-type']).toMatch(type);
    }
    // The UI reads the document from this origin (connect-src 'self').
    const init = await http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"openapi"');
  });
});

describe('the bearer token', () => {
  const TOKEN = tokenFor(`admin-${randomUUID()}`, ['admin']);
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(() => running.close());

  it('is taken only as Authorization: Bearer <token>', async () => {
    const http = () => request(running.app.getHttpServer());
    await http().get('/admin/projections').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    for (const other of [TOKEN, `Basic ${TOKEN}`, `Token ${TOKEN}`, `Bearer${TOKEN}`]) {
      const res = await http().get('/admin/projections').set('Authorization', other);
      expect(res.status).toBe(401);
      expect(res.body.type).toBe('/problems/unauthorized');
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="chronicle", error="invalid_request"/,
      );
    }
  });
});
