import { call, checkOut, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, type ConsolePage } from './support/console-browser.js';
import { eventually } from '../support/eventually.js';

describe('console: orders awaiting shipment', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it('a paid order appears in "Awaiting shipment", and Dispatch ships it', async () => {
    const checkout = await checkOut();
    opened = await browser.signedIn(TOKENS.staff);
    await opened.go('Orders');
    const { page } = opened;
    await page.getByRole('region', { name: 'Orders by status' }).waitFor();
    const awaiting = page.getByRole('table', { name: 'Awaiting shipment' });
    const row = awaiting.getByRole('row').filter({ hasText: checkout.orderId });
    await row.waitFor({ timeout: 15_000 });

    await row.getByRole('button', { name: 'Dispatch' }).click();
    await eventually(async () => expect(await row.count()).toBe(0), 15_000);
    await eventually(async () => {
      const order = await call<{ status: string }>(
        'GET',
        `/orders/${checkout.orderId}`,
        TOKENS.staff,
      );
      expect(order.body.status).toBe('shipped');
    }, 15_000);
  });
});
