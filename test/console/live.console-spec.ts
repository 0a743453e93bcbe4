import { setTimeout as sleep } from 'node:timers/promises';
import { accounts, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, type ConsolePage } from './support/console-browser.js';
import { eventually } from '../support/eventually.js';

describe('console: the live tail of the log', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it('shows a deposit made through the API while it is open; paused, it shows nothing new until resumed', async () => {
    const account = await accounts.open();
    opened = await browser.signedIn(TOKENS.auditor);
    await opened.go('Live');
    const { page } = opened;
    const list = page.getByRole('list', { name: 'Live events' });
    await list.waitFor({ state: 'attached' }); // empty (no height) until the first event
    const ofAccount = list.getByRole('listitem').filter({ hasText: account.id });

    await accounts.deposit(account.id, 111);
    await eventually(async () => {
      expect(await ofAccount.filter({ hasText: 'MoneyDeposited' }).count()).toBe(1);
    }, 15_000);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await accounts.deposit(account.id, 222);
    await sleep(2_000);
    expect(await ofAccount.filter({ hasText: 'MoneyDeposited' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await accounts.deposit(account.id, 333);
    await eventually(async () => {
      // The one made while paused may be shown now or dropped; the one after Resume must be.
      expect(await ofAccount.filter({ hasText: 'MoneyDeposited' }).count()).toBeGreaterThanOrEqual(
        2,
      );
    }, 15_000);

    // The filter keeps the events whose type or stream matches.
    const other = await accounts.open();
    await page.getByRole('textbox', { name: 'Filter by type or stream' }).fill(account.id);
    await accounts.deposit(other.id, 444);
    await accounts.deposit(account.id, 555);
    await eventually(async () => {
      expect(await ofAccount.filter({ hasText: 'MoneyDeposited' }).count()).toBeGreaterThanOrEqual(
        3,
      );
    }, 15_000);
    expect(await list.getByRole('listitem').filter({ hasText: other.id }).count()).toBe(0);
  });
});
