import { accounts, projections, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, expectText, type ConsolePage } from './support/console-browser.js';
import { eventually } from '../support/eventually.js';

describe('console: projections', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it('lists every projection with its status and lag chart; a rebuild shows its progress until it is live', async () => {
    // Something to rebuild: the balances of a few accounts.
    for (let i = 0; i < 5; i++) {
      const account = await accounts.open({ initialDeposit: 1_000 });
      await accounts.deposit(account.id, 250);
    }
    const names = (await projections()).map((p) => p.name);
    const name = names.includes('account-balances') ? 'account-balances' : names[0];

    opened = await browser.signedIn(TOKENS.admin);
    await opened.go('Projections');
    const { page } = opened;
    const table = page.getByRole('table', { name: 'Projections' });
    for (const each of names) await expectText(table, each);
    await page.getByLabel('Lag over the last minutes', { exact: true }).first().waitFor();

    // Watch for the progress bar from before the click: a small rebuild can be done within one refresh.
    const progress = page.getByRole('progressbar', { name: `Rebuild progress ${name}` });
    const sawProgress = progress.waitFor({ timeout: 20_000 }).then(
      () => true,
      () => false,
    );
    await page.getByRole('button', { name: `Rebuild ${name}` }).click();
    await eventually(async () => {
      const [status] = (await projections()).filter((p) => p.name === name);
      expect(status.rebuild).toBeNull();
      expect(status.status).toBe('live');
    }, 30_000);
    const row = table.getByRole('row').filter({ hasText: name });
    await expectText(row, /live\s*$/, 20_000);
    expect(await sawProgress).toBe(true);
  });
});
