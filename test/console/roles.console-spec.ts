import { TOKENS } from './support/console-api.js';
import { ConsoleBrowser, type ConsolePage } from './support/console-browser.js';

const PAGES = ['Streams', 'Live', 'Accounts', 'Projections', 'Orders'];

describe('console: roles decide what is shown', () => {
  let browser: ConsoleBrowser;
  const opened: ConsolePage[] = [];
  beforeAll(async () => (browser = await ConsoleBrowser.launch()));
  afterEach(async () => {
    for (const page of opened.splice(0)) await page.close();
  });
  afterAll(() => browser?.close());

  const linksOf = async (token: string) => {
    const page = await browser.signedIn(token);
    opened.push(page);
    const nav = page.page.getByRole('navigation', { name: 'Console' });
    const shown: string[] = [];
    for (const name of PAGES)
      if (await nav.getByRole('link', { name, exact: true }).isVisible()) shown.push(name);
    return { page, shown };
  };

  it('a customer sees Accounts only: no Projections, no Streams, no Live, no Orders', async () => {
    const { shown } = await linksOf(TOKENS.customer('5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'));
    expect(shown).toEqual(['Accounts']);
  });

  it('a teller sees Accounts', async () => {
    const { shown } = await linksOf(TOKENS.teller);
    expect(shown).toContain('Accounts');
    expect(shown).not.toContain('Projections');
  });

  it('an auditor sees every page, and no Rebuild button', async () => {
    const { page, shown } = await linksOf(TOKENS.auditor);
    expect(shown).toEqual(expect.arrayContaining(['Streams', 'Live', 'Projections', 'Orders']));
    await page.go('Projections');
    await page.page.getByRole('table', { name: 'Projections' }).waitFor();
    expect(await page.page.getByRole('button', { name: /^Rebuild / }).count()).toBe(0);
  });

  it('an admin sees the Rebuild buttons', async () => {
    const { page, shown } = await linksOf(TOKENS.admin);
    expect(shown).toContain('Projections');
    // The whole log's live tail carries every owner's personal data: the auditors' alone, as in the access policy.
    expect(shown).not.toContain('Live');
    await page.go('Projections');
    await page.page.getByRole('table', { name: 'Projections' }).waitFor();
    await page.page
      .getByRole('button', { name: /^Rebuild / })
      .first()
      .waitFor();
  });

  it('Sign out forgets the token: the sign-in form again, and nothing of the console', async () => {
    const { page } = await linksOf(TOKENS.staff);
    await page.page.getByRole('button', { name: 'Sign out' }).click();
    await page.page.getByRole('textbox', { name: 'Bearer token' }).waitFor();
    expect(await page.page.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
    await page.page.reload();
    await page.page.getByRole('textbox', { name: 'Bearer token' }).waitFor();
  });

  it('a token the app refuses does not sign in', async () => {
    const page = await browser.open();
    opened.push(page);
    await page.page.getByRole('textbox', { name: 'Bearer token' }).fill('not-a-token');
    await page.page.getByRole('button', { name: 'Sign in' }).click();
    await page.page.getByRole('alert').waitFor();
    expect(await page.page.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
  });
});
