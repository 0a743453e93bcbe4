import pg from 'pg';
import { eventually } from '../support/eventually.js';
import { accounts, projections, TOKENS } from './support/console-api.js';
import { ConsoleBrowser, expectText, type ConsolePage } from './support/console-browser.js';

const NAME = 'accounts';
// A fault of the read model's own: its table refuses one balance, so the projection fails on the event that
// reaches it, as a schema bug would. Dropping the constraint is the fix.
const POISON = 31_337;
// NOT VALID: rows already there (the first test's) are not checked, only the rows written from now on.
const ADD_FAULT = `ALTER TABLE account_balances ADD CONSTRAINT console_fault CHECK (balance <> ${POISON}) NOT VALID`;
const FIX = 'ALTER TABLE account_balances DROP CONSTRAINT IF EXISTS console_fault';

describe('console: dead letters', () => {
  let browser: ConsoleBrowser;
  let opened: ConsolePage | undefined;
  let db: pg.Pool;
  beforeAll(async () => {
    browser = await ConsoleBrowser.launch();
    db = new pg.Pool({ connectionString: process.env.CHRONICLE_TEST_DATABASE_URL, max: 1 });
  });
  afterAll(async () => {
    await db?.query(FIX);
    await db?.end();
    await opened?.close();
    await browser?.close();
  });

  const statusIs = (status: string) =>
    eventually(async () => {
      const [projection] = (await projections()).filter((p) => p.name === NAME);
      expect(projection.status).toBe(status);
    }, 20_000);

  /** The page mounted again, as an operator opening it: the dead letters are read when it loads. */
  const openProjections = async () => {
    await opened?.close();
    opened = await browser.signedIn(TOKENS.admin);
    await opened.go('Projections');
    return opened.page;
  };

  it('shows the failed event; retried once the cause is fixed, the projection applies it and is live again', async () => {
    await db.query(ADD_FAULT);
    const account = await accounts.open({ initialDeposit: 1_000 });
    const poisoned = await accounts.deposit(account.id, POISON - 1_000);
    await statusIs('failed');

    const page = await openProjections();
    const letters = page.getByRole('table', { name: `Dead letters ${NAME}` });
    const letter = letters.getByRole('row').filter({ hasText: String(poisoned.position) });
    await expectText(letter, 'MoneyDeposited');
    await expectText(letter, 'console_fault');

    await db.query(FIX);
    await letter.getByRole('button', { name: 'Retry' }).click();
    await expectText(letter, 'retried');
    await statusIs('live');
    expect((await accounts.get(account.id, poisoned.position)).balance).toBe(POISON);
    const table = page.getByRole('table', { name: 'Projections' });
    await expectText(table.getByRole('row').filter({ hasText: NAME }).first(), /live/, 20_000);
  });

  it('skips the failed event: the projection goes on past it, live, without that event', async () => {
    await db.query(ADD_FAULT);
    const account = await accounts.open({ initialDeposit: 1_000 });
    const poisoned = await accounts.deposit(account.id, POISON - 1_000);
    // Only after the failure: in one batch with the poisoned deposit, the row would be written once, past the
    // refused balance, and nothing would fail.
    await statusIs('failed');
    const later = await accounts.deposit(account.id, 5);

    const page = await openProjections();
    const letters = page.getByRole('table', { name: `Dead letters ${NAME}` });
    const letter = letters.getByRole('row').filter({ hasText: String(poisoned.position) });
    await expectText(letter, 'MoneyDeposited');
    await letter.getByRole('button', { name: 'Skip' }).click();
    await expectText(letter, 'skipped');
    await expectText(page.getByRole('alert'), `skipped the event at ${poisoned.position}`);
    await statusIs('live');
    // The skipped deposit never reaches the read model; the one after it does.
    expect((await accounts.get(account.id, later.position)).balance).toBe(1_005);
    await db.query(FIX);
  });
});
