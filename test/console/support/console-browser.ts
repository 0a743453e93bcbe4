import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { eventually } from '../../support/eventually.js';

/** Debian's chromium (apt-get install chromium), or the one CHROMIUM_PATH names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Quiet and self-contained: no GPU, no first-run page, no background traffic to anyone's servers. Playwright gives
 * every launch a fresh temporary --user-data-dir of its own and removes it on close.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the suite's app listens (the global setup started it). */
export function consoleUrl(): string {
  const url = process.env.CHRONICLE_CONSOLE_URL;
  if (!url)
    throw new Error('CHRONICLE_CONSOLE_URL is not set: run the suite with npm run test:console');
  return url;
}

export const VIEWPORT = { width: 1280, height: 800 };

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
}

/** A signed-in (or not yet) page of the console, with what the browser reported while it was open. */
export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** securitypolicyviolation events the page fired, and console messages that name the Content Security Policy. */
  cspViolations: CspViolation[];
  cspMessages: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  signIn(token: string): Promise<void>;
  /** Follows the console's navigation link `name` (Streams, Live, Accounts, Projections, Orders). */
  go(name: string): Promise<void>;
  close(): Promise<void>;
}

export class ConsoleBrowser {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<ConsoleBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    return new ConsoleBrowser(browser);
  }

  /**
   * A fresh context (no cookies, no storage) on /console. bypassCSP only for the accessibility scan, when the
   * page's policy would refuse axe-core's injected script.
   */
  async open(options: { bypassCSP?: boolean } = {}): Promise<ConsolePage> {
    const context = await this.browser.newContext({
      viewport: VIEWPORT,
      bypassCSP: options.bypassCSP ?? false,
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    // Fail within a test's time rather than at Playwright's 30 s per step (20 s: a loaded machine, a cold app).
    context.setDefaultTimeout(20_000);
    const cspViolations: CspViolation[] = [];
    const cspMessages: string[] = [];
    const errors: string[] = [];
    const binding = `__chronicleCsp_${randomUUID().replaceAll('-', '')}`;
    await context.exposeBinding(binding, (_source, violation: CspViolation) => {
      cspViolations.push(violation);
    });
    await context.addInitScript(`
      document.addEventListener('securitypolicyviolation', (e) => {
        window[${JSON.stringify(binding)}]({
          directive: e.violatedDirective, blockedURI: e.blockedURI, sourceFile: e.sourceFile,
        });
      });
    `);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) cspMessages.push(message.text());
      else if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${consoleUrl()}/console`);
    return {
      page,
      context,
      cspViolations,
      cspMessages,
      errors,
      signIn: async (token) => {
        await page.getByRole('textbox', { name: 'Bearer token' }).fill(token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('navigation', { name: 'Console' }).waitFor();
      },
      go: async (name) => {
        await page
          .getByRole('navigation', { name: 'Console' })
          .getByRole('link', { name, exact: true })
          .click();
      },
      close: () => context.close(),
    };
  }

  /** A page signed in with `token`. */
  async signedIn(token: string, options: { bypassCSP?: boolean } = {}): Promise<ConsolePage> {
    const opened = await this.open(options);
    await opened.signIn(token);
    return opened;
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/** Waits until the locator's text matches (the console renders what it fetched asynchronously). */
export async function expectText(
  locator: Locator,
  expected: RegExp | string,
  timeoutMs = 15_000,
): Promise<string> {
  let text = '';
  await eventually(async () => {
    text = ((await locator.first().textContent({ timeout: 1_000 })) ?? '').replace(/\s+/g, ' ');
    if (typeof expected === 'string') expect(text).toContain(expected);
    else expect(text).toMatch(expected);
  }, timeoutMs);
  return text;
}

/** The axe-core script as it ships (injected as an inline script: the page's CSP decides whether it may run). */
export const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe-core on the page as it is now; the violations of impact serious or critical. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`,
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
