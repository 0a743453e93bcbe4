import { accounts, checkOut, TOKENS } from './support/console-api.js';
import {
  ConsoleBrowser,
  seriousAccessibilityViolations,
  type AxeViolation,
  type ConsolePage,
} from './support/console-browser.js';
import { eventually } from '../support/eventually.js';

const report = (violations: AxeViolation[]) =>
  violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
    )
    .join('\n');

/**
 * axe-core on every page, with data on it. The console's CSP allows no inline script, so axe's injected script
 * would be refused: these contexts alone bypass the CSP (bypassCSP), the other suites run under it.
 */
describe('console: accessibility (axe-core finds no serious or critical violation)', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  let accountId: string;
  let orderId: string;
  let correlationId: string;

  beforeAll(async () => {
    browser = await ConsoleBrowser.launch();
    const account = await accounts.open();
    await accounts.deposit(account.id, 5_000);
    await accounts.withdraw(account.id, 1_000_000);
    await accounts.deposit(account.id, 1_500);
    accountId = account.id;
    ({ orderId, correlationId } = await checkOut());
  });
  afterEach(() => opened?.close());
  afterAll(() => browser?.close());

  const expectNoSeriousViolation = async (page: ConsolePage['page']) =>
    expect(report(await seriousAccessibilityViolations(page))).toBe('');

  it('the scan would see a violation: a button without an accessible name added to the page', async () => {
    opened = await browser.open({ bypassCSP: true });
    await opened.page.getByRole('textbox', { name: 'Bearer token' }).waitFor();
    await opened.page.evaluate(
      `document.querySelector('form').append(document.createElement('button'))`,
    );
    expect(await seriousAccessibilityViolations(opened.page)).toEqual([
      expect.objectContaining({ id: 'button-name', impact: 'critical' }),
    ]);
  });

  it('the sign-in page', async () => {
    opened = await browser.open({ bypassCSP: true });
    await opened.page.getByRole('textbox', { name: 'Bearer token' }).waitFor();
    await expectNoSeriousViolation(opened.page);
  });

  it('streams: the search, a stream and a correlation', async () => {
    opened = await browser.signedIn(TOKENS.staff, { bypassCSP: true });
    await opened.go('Streams');
    const { page } = opened;
    const streamId = `order-${orderId}`;
    await eventually(async () => {
      await page.getByRole('textbox', { name: 'Stream id prefix' }).fill(streamId);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: streamId }).waitFor({ timeout: 1_000 });
    }, 15_000);
    await expectNoSeriousViolation(page);
    await page.getByRole('link', { name: streamId }).click();
    await page.getByRole('table', { name: 'Events' }).waitFor();
    await page.getByRole('table', { name: 'Events' }).locator('details > summary').first().click();
    await expectNoSeriousViolation(page);
    await page
      .getByRole('link', { name: `Follow correlation ${correlationId}` })
      .first()
      .click();
    await page.getByRole('table', { name: 'Correlated events' }).getByRole('row').nth(1).waitFor();
    await expectNoSeriousViolation(page);
  });

  it('live', async () => {
    opened = await browser.signedIn(TOKENS.staff, { bypassCSP: true });
    await opened.go('Live');
    await opened.page.getByRole('list', { name: 'Live events' }).waitFor({ state: 'attached' });
    await accounts.deposit(accountId, 10);
    await opened.page
      .getByRole('list', { name: 'Live events' })
      .getByRole('listitem')
      .first()
      .waitFor();
    await expectNoSeriousViolation(opened.page);
  });

  it('an account, its chart and the time-travel slider', async () => {
    opened = await browser.signedIn(TOKENS.staff, { bypassCSP: true });
    await opened.go('Accounts');
    const { page } = opened;
    await page.getByRole('textbox', { name: 'Account id' }).fill(accountId);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('slider', { name: 'Time travel' }).waitFor();
    await expectNoSeriousViolation(page);
  });

  it('projections', async () => {
    opened = await browser.signedIn(TOKENS.staff, { bypassCSP: true });
    await opened.go('Projections');
    await opened.page.getByRole('table', { name: 'Projections' }).getByRole('row').nth(1).waitFor();
    await expectNoSeriousViolation(opened.page);
  });

  it('orders', async () => {
    opened = await browser.signedIn(TOKENS.staff, { bypassCSP: true });
    await opened.go('Orders');
    await opened.page
      .getByRole('table', { name: 'Awaiting shipment' })
      .getByRole('row')
      .filter({ hasText: orderId })
      .waitFor();
    await expectNoSeriousViolation(opened.page);
  });
});
