// npm run console:screenshots: the app on a throwaway database (embedded PostgreSQL, or one on DATABASE_URL's
// server), some data (an account with history, a checkout, a rebuilt projection), then each page of the console in
// Debian's chromium at 1280x800, written to docs/console/{streams,live,account,projections,orders}.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { accounts, call, checkOut, projections, TOKENS } from './support/console-api.js';
import { ConsoleBrowser } from './support/console-browser.js';
// @ts-expect-error: plain JavaScript, no declarations
import consoleSetup from './support/global-setup.js';
// @ts-expect-error: plain JavaScript, no declarations
import consoleTeardown from './support/global-teardown.js';

const OUT = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function seed() {
  const account = await accounts.open({ ownerName: 'Grace Hopper' });
  for (const amount of [120_000, 45_000, 80_000]) await accounts.deposit(account.id, amount);
  await accounts.withdraw(account.id, 60_000);
  await accounts.withdraw(account.id, 900_000); // refused: insufficient funds
  await accounts.deposit(account.id, 32_500);
  await accounts.withdraw(account.id, 15_000);
  const checkouts = [];
  for (let i = 0; i < 3; i++) checkouts.push(await checkOut(1_999 + i * 1_000));
  // One shipped, so the chart has more than one status.
  await call('POST', `/shipments/${checkouts[0].shipmentId}/dispatch`, TOKENS.staff);
  const names = (await projections()).map((p) => p.name);
  const name = names.find((n) => /balance/.test(n)) ?? names[0];
  const rebuilt = await call('POST', `/admin/projections/${name}/rebuild`, TOKENS.admin);
  if (rebuilt.status !== 202)
    throw new Error(`rebuild: ${rebuilt.status} ${JSON.stringify(rebuilt.body)}`);
  return { accountId: account.id, checkout: checkouts[1] };
}

async function shoot(page: Page, name: string) {
  await sleep(500);
  await page.screenshot({ path: `${OUT}${name}.png` });
  process.stdout.write(`docs/console/${name}.png\n`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  await consoleSetup();
  let browser: ConsoleBrowser | undefined;
  try {
    const { accountId, checkout } = await seed();
    browser = await ConsoleBrowser.launch();
    const opened = await browser.signedIn(TOKENS.staff);
    const { page } = opened;

    await opened.go('Streams');
    const streamId = `order-${checkout.orderId}`;
    await until('the order in the stream catalog', async () => {
      await page.getByRole('textbox', { name: 'Stream id prefix' }).fill(streamId);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: streamId }).waitFor({ timeout: 1_000 });
      return true;
    });
    await page.getByRole('link', { name: streamId }).click();
    const events = page.getByRole('table', { name: 'Events' });
    await events.waitFor();
    await events.locator('details > summary').first().click();
    await shoot(page, 'streams');

    await opened.go('Live');
    await page.getByRole('list', { name: 'Live events' }).waitFor({ state: 'attached' });
    const other = await accounts.open({ ownerName: 'Alan Turing', initialDeposit: 10_000 });
    for (const amount of [1_000, 2_500, 4_000]) {
      await accounts.deposit(other.id, amount);
      await sleep(300);
    }
    await checkOut(3_450);
    await page.getByRole('list', { name: 'Live events' }).getByRole('listitem').nth(5).waitFor();
    await shoot(page, 'live');

    await opened.go('Accounts');
    await page.getByRole('textbox', { name: 'Account id' }).fill(accountId);
    await page.getByRole('button', { name: 'Open' }).click();
    const slider = page.getByRole('slider', { name: 'Time travel' });
    await slider.waitFor();
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await slider.blur();
    await shoot(page, 'account');

    await opened.go('Projections');
    await page.getByRole('table', { name: 'Projections' }).getByRole('row').nth(1).waitFor();
    await sleep(5_500); // a second lag sample for the chart
    await shoot(page, 'projections');

    await opened.go('Orders');
    await page.getByRole('table', { name: 'Awaiting shipment' }).getByRole('row').nth(1).waitFor();
    await shoot(page, 'orders');
    await opened.close();
  } finally {
    await browser?.close();
    await consoleTeardown();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `console:screenshots failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
