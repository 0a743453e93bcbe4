import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { startTestApp } from './support/test-app.js';

const STRICT_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';" +
  "frame-ancestors 'none';base-uri 'none';form-action 'none';object-src 'none'";

/**
 * The web console's files at /console/ (a built console stands in: index.html and a hashed asset in a directory of
 * the test's own, CONSOLE_DIR): no token, the strict CSP, immutable assets, index.html revalidated.
 */
describe('the web console at /console', () => {
  let running: RunningApp;
  let http: () => ReturnType<typeof request>;
  const directory = mkdtempSync(join(tmpdir(), 'chronicle-console-'));
  const previous = process.env.CONSOLE_DIR;

  beforeAll(async () => {
    mkdirSync(join(directory, 'assets'));
    writeFileSync(
      join(directory, 'index.html'),
      '<!doctype html><script type="module" src="/console/assets/index-AbC123.js"></script>',
    );
    writeFileSync(join(directory, 'assets', 'index-AbC123.js'), 'console.log(1);');
    process.env.CONSOLE_DIR = directory;
    running = await startTestApp();
    http = () => request(running.app.getHttpServer());
  });
  afterAll(async () => {
    await running.close();
    if (previous === undefined) delete process.env.CONSOLE_DIR;
    else process.env.CONSOLE_DIR = previous;
    rmSync(directory, { recursive: true, force: true });
  });

  it('redirects /console to /console/', async () => {
    const res = await http().get('/console').expect(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves index.html without a token, revalidated, under the strict CSP', async () => {
    const res = await http().get('/console/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(STRICT_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).toContain('/console/assets/index-AbC123.js');
  });

  it('serves hashed assets immutable for a year', async () => {
    const res = await http().get('/console/assets/index-AbC123.js').expect(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-security-policy']).toBe(STRICT_CSP);
  });

  it('answers anything else under /console 404 problem+json, paths that climb out included', async () => {
    for (const path of [
      '/console/assets/missing-1.js',
      '/console/assets/../index.html',
      '/console/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/assets/.hidden',
      '/console/package.json',
    ]) {
      const res = await http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['content-security-policy']).toBe(STRICT_CSP);
    }
  });

  it('tells the sign-in page whether tokens come from the development issuer', async () => {
    const res = await http().get('/console/config.json').expect(200);
    expect(res.body).toEqual({ development: true });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('leaves the API its own headers', async () => {
    const res = await http().get('/health').expect(200);
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('says to run npm run build when the console is not built', async () => {
    rmSync(join(directory, 'index.html'));
    const res = await http().get('/console/').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, type: '/problems/console-not-built' });
    expect(res.body.detail).toContain('npm run build');
  });
});
