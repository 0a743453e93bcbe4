import { accounts, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, expectText, type ConsolePage } from './support/console-browser.js';

/** How the console may write an amount of minor units: 12.34 or 12,34 (with a thousands separator or not). */
const amount = (minor: number, currency: string) => {
  const major = Math.trunc(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  const grouped = major.toLocaleString('en-GB').replace(/,/g, '[,.\\s\u202f]?');
  return new RegExp(`(?:${grouped}[.,]${cents}|${minor})\\s*${currency}`);
};

describe('console: an account through time', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage;
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterEach(() => opened?.close());
  afterAll(() => browser?.close());

  it('finds an account opened through the API; the time-travel slider dragged to before a deposit reads the old balance', async () => {
    const account = await accounts.open();
    await accounts.deposit(account.id, 1_234); // version 2: balance 12.34
    await accounts.deposit(account.id, 5_000); // version 3: balance 62.34
    const refused = await accounts.withdraw(account.id, 1_000_000); // version 4: rejected, still 62.34
    expect(refused.status).toBe(422);
    const last = await accounts.deposit(account.id, 700); // version 5: balance 69.34
    await accounts.get(account.id, last.position);

    opened = await browser.signedIn(TOKENS.teller);
    await opened.go('Accounts');
    const { page } = opened;
    await page.getByRole('textbox', { name: 'Account id' }).fill(account.id);
    await page.getByRole('button', { name: 'Open' }).click();

    await page.getByRole('region', { name: 'Balance over time' }).waitFor();
    const balance = page.getByRole('status', { name: 'Balance as of' });
    await expectText(balance, amount(6_934, 'EUR'));

    const slider = page.getByRole('slider', { name: 'Time travel' });
    await slider.waitFor();
    const min = Number(await slider.getAttribute('min'));
    const max = Number(await slider.getAttribute('max'));
    expect(max - min).toBe(4); // one step per version, versions 1..5

    // Drag the thumb from its place (the present) to version 2: after the first deposit, before the second.
    const box = (await slider.boundingBox())!;
    const at = (version: number) => box.x + 8 + ((box.width - 16) * (version - min)) / (max - min);
    await page.mouse.move(at(max), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(at(2), box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    expect(Number(await slider.inputValue())).toBe(2);
    const then = await expectText(balance, amount(1_234, 'EUR'));
    expect(then).toMatch(/^Balance as of .+: /);

    // The keyboard moves it too: to version 4, after the refused withdrawal.
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(Number(await slider.inputValue())).toBe(4);
    await expectText(balance, amount(6_234, 'EUR'));

    // The refused withdrawal is listed, and marked in the chart's points (its table for screen readers).
    await expectText(
      page.getByRole('list', { name: 'Rejected withdrawals' }),
      /Version 4\b.*refused/,
    );
    await expectText(
      page.getByRole('table', { name: 'Balance over time (data)' }),
      /WithdrawalRejected/,
    );
  });

  it('a customer opens their own account, and not somebody else’s', async () => {
    const customerId = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
    const own = await accounts.open({ initialDeposit: 4_200 }, TOKENS.customer(customerId));
    const other = await accounts.open({ initialDeposit: 100 });
    await accounts.get(own.id, own.position, TOKENS.customer(customerId));
    await accounts.get(other.id, other.position);

    opened = await browser.signedIn(TOKENS.customer(customerId));
    await opened.go('Accounts');
    const { page } = opened;
    await page.getByRole('textbox', { name: 'Account id' }).fill(own.id);
    await page.getByRole('button', { name: 'Open' }).click();
    await expectText(page.getByRole('status', { name: 'Balance as of' }), amount(4_200, 'EUR'));

    await opened.go('Accounts');
    await page.getByRole('textbox', { name: 'Account id' }).fill(other.id);
    await page.getByRole('button', { name: 'Open' }).click();
    await expectText(page.getByRole('alert'), /not found|forbidden|not allowed|no such/i);
  });
});
