import { accounts, projections, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, expectText, type ConsolePage } from './support/console-browser.js';

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
    const name = names.find((n) => /balance/.test(n)) ?? names[0];

    opened = await browser.signedIn(TOKENS.admin);
    await opened.go('Projections');
    const { page } = opened;
    const table = page.getByRole('table', { name: 'Projections' });
    for (const each of names) await expectText(table, each);
    await page.getByRole('region', { name: 'Lag over the last minutes' }).waitFor();

    await page.getByRole('button', { name: `Rebuild ${name}` }).click();
    // Followed from the click: a progress bar and a status, until the rebuild is swapped in and caught up.
    const progress = page.getByRole('progressbar', { name: `Rebuild progress ${name}` });
    await progress.waitFor();
    const status = page.getByRole('status', { name: `Rebuild status ${name}` });
    await expectText(status, /^\s*live\s*$/, 30_000);
    expect(Number(await progress.getAttribute('value'))).toBe(1);
    const [after] = (await projections()).filter((p) => p.name === name);
    expect(after).toMatchObject({ status: 'live', rebuild: null });
    await expectText(table.getByRole('row').filter({ hasText: name }), /live/);
  });
});
