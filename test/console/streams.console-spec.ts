import { accounts, checkOut, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, expectText, type ConsolePage } from './support/console-browser.js';
import { eventually } from '../support/eventually.js';

describe('console: streams', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterEach(() => opened?.close());
  afterAll(() => browser?.close());

  it("finds an account's stream by prefix, pages through its events and shows data and metadata as JSON", async () => {
    const account = await accounts.open();
    for (let i = 1; i <= 60; i++) await accounts.deposit(account.id, i);
    const streamId = `account-${account.id}`;

    opened = await browser.signedIn(TOKENS.auditor);
    await opened.go('Streams');
    const { page } = opened;
    await page.getByRole('textbox', { name: 'Stream id prefix' }).fill(streamId.slice(0, 20));
    await page.getByRole('textbox', { name: 'Category' }).fill('account');
    await page.getByRole('textbox', { name: 'Event type' }).fill('MoneyDeposited');
    await page.getByRole('button', { name: 'Search' }).click();
    const found = page.getByRole('table', { name: 'Streams' });
    // The catalog is a projection: the stream is there once it has caught up.
    await eventually(async () => {
      await page.getByRole('button', { name: 'Search' }).click();
      await found.getByRole('link', { name: streamId }).waitFor({ timeout: 1_000 });
    }, 15_000);
    await found.getByRole('link', { name: streamId }).click();

    const events = page.getByRole('table', { name: 'Events' });
    await expectText(events, 'AccountOpened');
    const firstPage = (await events.textContent()) ?? '';
    await page.getByRole('button', { name: 'Next page' }).click();
    await eventually(async () => expect((await events.textContent()) ?? '').not.toBe(firstPage));
    await expectText(events, 'MoneyDeposited');

    // A row opens onto its data and metadata, formatted.
    await events.locator('details > summary').first().click();
    const json = events.locator('pre').first();
    await expectText(json, /"amount": \d+/);
    expect(await json.textContent()).toContain('\n');
  });

  it('follows a checkout by its correlation id across the cart, order, checkout, account and shipment streams', async () => {
    const checkout = await checkOut();
    opened = await browser.signedIn(TOKENS.auditor);
    await opened.go('Streams');
    const { page } = opened;
    const streamId = `order-${checkout.orderId}`;
    await eventually(async () => {
      await page.getByRole('textbox', { name: 'Stream id prefix' }).fill(streamId);
      await page.getByRole('button', { name: 'Search' }).click();
      await page
        .getByRole('table', { name: 'Streams' })
        .getByRole('link', { name: streamId })
        .waitFor({ timeout: 1_000 });
    }, 15_000);
    await page
      .getByRole('table', { name: 'Streams' })
      .getByRole('link', { name: streamId })
      .click();
    await page.getByRole('table', { name: 'Events' }).waitFor();
    await page
      .getByRole('link', { name: `Follow correlation ${checkout.correlationId}` })
      .first()
      .click();

    const correlated = page.getByRole('table', { name: 'Correlated events' });
    await eventually(async () => {
      const text = (await correlated.textContent({ timeout: 1_000 })) ?? '';
      for (const stream of [
        `cart-${checkout.cartId}`,
        `order-${checkout.orderId}`,
        `account-${checkout.accountId}`,
        `shipment-${checkout.shipmentId}`,
      ])
        expect(text).toContain(stream);
      expect(text).toContain(`checkout-${checkout.orderId}`);
    }, 15_000);
  });
});
