import { call, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, consoleUrl } from './support/console-browser.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

describe('console: strict CSP and caching headers', () => {
  let browser: ConsoleBrowser;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterAll(() => browser?.close());

  it('/console is served with a strict CSP (no inline or eval script, nothing from elsewhere) and is revalidated', async () => {
    const res = await call('GET', '/console');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(res.headers.get('content-security-policy') ?? '');
    expect(csp.get('default-src')).toEqual(expect.arrayContaining(["'self'"]));
    const scripts = csp.get('script-src') ?? csp.get('default-src')!;
    for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'])
      expect(scripts).not.toContain(loose);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    // The page names the build's assets: it must never be served stale after an upgrade.
    expect(res.headers.get('cache-control')).toMatch(/no-cache|no-store|max-age=0/);
  });

  it("the build's hashed assets are cached for good; an unknown asset is a 404, not the page", async () => {
    const page = await call<string>('GET', '/console');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map(
      (m) => new URL(m[1], `${consoleUrl()}/console/`).pathname,
    );
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const res = await call('GET', asset);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/max-age=(\d{7,})/);
      expect(res.headers.get('cache-control')).toMatch(/immutable/);
      expect(res.headers.get('content-security-policy')).toBeTruthy();
    }
    const missing = await call('GET', '/console/assets/no-such-file-0000.js');
    expect(missing.status).toBe(404);
  });

  it('a violation would be seen: an inline script added to the page is refused and reported', async () => {
    const opened = await browser.open();
    try {
      await opened.page.getByRole('textbox', { name: 'Bearer token' }).waitFor();
      await opened.page
        .addScriptTag({ content: 'document.body.dataset.inline = "ran"' })
        .catch(() => undefined);
      await opened.page.waitForTimeout(200);
      expect(await opened.page.getAttribute('body', 'data-inline')).toBeNull();
      expect(opened.cspViolations).toEqual([
        expect.objectContaining({ directive: expect.stringMatching(/^script-src/) }),
      ]);
    } finally {
      await opened.close();
    }
  });

  it('the browser reports no CSP violation on any page of the console', async () => {
    const opened = await browser.signedIn(TOKENS.staff);
    try {
      for (const name of ['Streams', 'Live', 'Accounts', 'Projections', 'Orders']) {
        await opened.go(name);
        // Each page fetches (and the live page streams) as it opens: give it time to render what it got.
        await opened.page.waitForTimeout(750);
      }
      expect(opened.cspViolations).toEqual([]);
      expect(opened.cspMessages).toEqual([]);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
