import type { Browser } from 'playwright-core';
import { artifact, browserAvailable, launchBrowser } from '../utils/browser';
import { createTestApp, type TestApp } from '../utils/create-app';

const run = browserAvailable() ? describe : describe.skip;

/** A person at /sandbox: types and taps on the two phones, pays with a PIN, sees receipts. */
run('the /sandbox page in a real browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // As `npm start` runs it with no configuration: the whole product, the demo cast, waiting prompts.
    t = await createTestApp({ SANDBOX_DEMO: 'true' }, { full: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('invoice from the merchant chat, pay from the customer phone with the PIN, receipts on both; then the SMS fallback', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${t.url}/sandbox`);
    const merchant = page.locator('#merchant-phone');
    const customer = page.locator('#customer-phone');
    await merchant.getByText("Mama Njeri's Kitchen").waitFor();

    await page.locator('#merchant-input').fill('invoice 0722 000 002 1,500 Logo design');
    await page.locator('#merchant-input').press('Enter');
    const pay = customer.getByRole('button', { name: 'Pay with M-PESA' }).last();
    await pay.waitFor({ timeout: 20_000 });
    await merchant
      .getByText(/INV-[A-Z0-9]+ for Wanjiku/)
      .first()
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('sandbox-1-invoice.png') });

    await pay.click();
    await page.locator('#stk').waitFor({ state: 'visible', timeout: 20_000 });
    await page.screenshot({ path: artifact('sandbox-2-stk-prompt.png') });
    await page.locator('#stk-pin').fill('1234');
    await page.locator('#stk-ok').click();
    await customer
      .getByText(/Payment received/)
      .first()
      .waitFor({ timeout: 20_000 });
    await merchant.getByText(/paid/i).last().waitFor({ timeout: 20_000 });
    await page
      .locator('#transitions')
      .getByText(/PAYMENT_INIT → PAID/)
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('sandbox-3-paid.png') });

    await page.locator('#customer-select').selectOption({ label: 'Otieno · +254733000003' });
    // The simulator must know before the invoice goes out: wait for the setting to land.
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/settings') && r.status() === 200),
      page.locator('#not-on-whatsapp').check(),
    ]);
    await page.locator('#merchant-input').fill('invoice 0733000003 800 Cake');
    await page.locator('#merchant-input').press('Enter');
    await page.locator('#tab-sms').click();
    await customer
      .getByText(/\/pay\//)
      .first()
      .waitFor({ timeout: 20_000 });
    await merchant
      .getByText(/by SMS/)
      .first()
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('sandbox-4-sms-fallback.png') });

    expect(errors).toEqual([]);
    await page.close();
  });
});
