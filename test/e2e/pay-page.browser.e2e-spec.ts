import { randomInt } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MerchantsService } from '../../src/merchants/merchants.service';
import { PayPageModule } from '../../src/pay-page/pay-page.module';
import { artifact, browserAvailable, launchBrowser } from '../utils/browser';
import { createTestApp, type TestApp } from '../utils/create-app';

const phone = () => `+25471${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
const run = browserAvailable() ? describe : describe.skip;

run('pay page in a real browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let apiKey: string;

  const payLink = async (amount: number) => {
    const customerPhone = phone();
    const res = await request(t.url)
      .post('/invoices')
      .set({ Authorization: `Bearer ${apiKey}` })
      .send({ customerPhone, amount, description: 'Website design' })
      .expect(201);
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT pay_token FROM invoices WHERE id = $1`, [res.body.id]);
    return { link: `${t.url}/pay/${row.pay_token as string}`, phone: customerPhone };
  };
  const daraja = (path: string, body: unknown) =>
    fetch(`${t.url}/sandbox/daraja/control/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const open = async (link: string) => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(link);
    // Marks this document: it must survive until the end, proving no reload happened.
    await page.evaluate(
      () => ((globalThis as unknown as { __noReload: boolean }).__noReload = true),
    );
    return { page, errors };
  };
  const stillSameDocument = (page: Page) =>
    page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload === true);

  beforeAll(async () => {
    t = await createTestApp({}, { imports: [PayPageModule] });
    apiKey = (
      await t.app.get(MerchantsService).create(t.app.get(DataSource).manager, {
        displayName: 'Kamau Designs',
        whatsappPhone: phone(),
        locale: 'en',
      })
    ).apiKey;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('pays from the link: Pay, the Daraja simulator confirms, the page shows Paid without a reload', async () => {
    const { link, phone: customer } = await payLink(1500);
    await daraja('next-outcome', { phone: customer, outcome: 'success', delayMs: 800 });
    const { page, errors } = await open(link);
    await page.screenshot({ path: artifact('pay-page-1-open.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay with M-PESA' }).click();
    await page
      .getByText('Check your phone and enter your M-PESA PIN.')
      .waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifact('pay-page-2-waiting.png'), fullPage: true });
    await page.getByText(/^Paid\. Thank you!/).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('pay-page-3-paid.png'), fullPage: true });
    expect(await stillSameDocument(page)).toBe(true);
    expect(await page.locator('#balance').textContent()).toBe('KES 0');
    expect(await page.getByRole('link', { name: 'Download receipt (PDF)' }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a cancelled payment (1032) in plain words, then a successful Try again', async () => {
    const { link, phone: customer } = await payLink(800);
    await daraja('next-outcome', { phone: customer, outcome: 'cancelled', delayMs: 500 });
    const { page, errors } = await open(link);
    await page.getByRole('button', { name: 'Pay with M-PESA' }).click();
    await page
      .getByText(/cancel/i)
      .first()
      .waitFor({ timeout: 20_000 });
    const tryAgain = page.getByRole('button', { name: 'Try again' });
    await tryAgain.waitFor({ timeout: 5_000 });
    await page.screenshot({ path: artifact('pay-page-4-cancelled.png'), fullPage: true });
    await daraja('next-outcome', { phone: customer, outcome: 'success', delayMs: 500 });
    await tryAgain.click();
    await page.getByText(/^Paid\. Thank you!/).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('pay-page-5-paid-after-retry.png'), fullPage: true });
    expect(await stillSameDocument(page)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
