import { isGsm7 } from '../../../common/text/gsm7';
import { WHATSAPP_TEMPLATES } from '../../../sandbox/whatsapp/template-registry';
import { renderWhatsAppMessage } from '../../whatsapp/whatsapp-message.renderer';
import { renderCancelledToCustomer, renderCancelledToMerchant } from './cancelled.renderer';
import { invoiceSms, renderInvoice } from './invoice.renderer';
import { renderMerchantNotice } from './merchant-notice.renderer';
import type { InvoiceNoticeView } from './notice-view';
import { renderPaymentFailed } from './payment-failed.renderer';
import { renderReceipt } from './receipt.renderer';
import { fitOneSegment, toGsm7 } from './sms-text';

const PAY_URL = 'https://pay.invoiceiq.co.ke/pay/Q3xN8vJ2mK5pL9rT1wY4zA7bC0dE6fG2hI8jK1lM3nO';

const view = (over: Partial<InvoiceNoticeView> = {}): InvoiceNoticeView => ({
  locale: 'en',
  merchantName: 'Mama Mboga',
  merchantPhone: '+254722000111',
  merchantWindowOpen: true,
  ref: 'INV-7KQ2MX',
  amount: 1500,
  amountPaid: 0,
  balance: 1500,
  description: 'Logo design',
  customerName: 'Jane Wanjiku',
  customerPhone: '+254712345678',
  customerWindowOpen: false,
  payUrl: PAY_URL,
  ...over,
});

/** What WhatsApp's own validation (the client's renderer) says about the content. */
const wireOk = (content: Parameters<typeof renderWhatsAppMessage>[1]) =>
  renderWhatsAppMessage('254712345678', content);

describe('invoice renderer', () => {
  it('inside the window: interactive, a Pay with M-PESA button and the pay link in the body', () => {
    const m = renderInvoice(view({ customerWindowOpen: true }));
    expect(m).toMatchObject({ to: '+254712345678', channel: 'auto', purpose: 'invoice' });
    expect(m.content).toMatchObject({
      type: 'buttons',
      buttons: [{ id: 'pay:INV-7KQ2MX', title: 'Pay with M-PESA' }],
    });
    expect(m.content.type === 'buttons' && m.content.body).toContain(PAY_URL);
    expect(m.content.type === 'buttons' && m.content.body).toContain('KES 1,500');
    expect(wireOk(m.content).ok).toBe(true);
  });

  it.each(['en', 'sw'] as const)(
    'outside the window: the approved invoice_new template (%s)',
    (locale) => {
      const m = renderInvoice(view({ locale }));
      expect(m.content).toEqual({
        type: 'template',
        name: 'invoice_new',
        language: locale,
        bodyParameters: ['Jane Wanjiku', 'Mama Mboga', 'KES 1,500', 'INV-7KQ2MX'],
        quickReplyPayloads: ['pay:INV-7KQ2MX'],
      });
      expect(WHATSAPP_TEMPLATES.invoice_new.parameters).toHaveLength(4);
      expect(WHATSAPP_TEMPLATES.invoice_new.body[locale]).toBeDefined();
      expect(wireOk(m.content).ok).toBe(true);
    },
  );

  it('a reminder uses invoice_reminder with its 3 parameters and the balance', () => {
    const m = renderInvoice(view({ amountPaid: 500, balance: 1000 }), { reminder: true });
    expect(m.purpose).toBe('reminder');
    expect(m.content).toMatchObject({
      name: 'invoice_reminder',
      bodyParameters: ['Jane Wanjiku', 'KES 1,000', 'INV-7KQ2MX'],
    });
    expect(m.content.type === 'template' && m.content.bodyParameters.length).toBe(
      WHATSAPP_TEMPLATES.invoice_reminder.parameters.length,
    );
  });

  it('an unnamed customer is addressed by number; template params never carry line breaks', () => {
    const m = renderInvoice(view({ customerName: null, merchantName: 'Duka\nLa  Mama' }));
    expect(m.content).toMatchObject({
      bodyParameters: ['0712 345 678', 'Duka La Mama', 'KES 1,500', 'INV-7KQ2MX'],
    });
  });

  it('the SMS is one GSM-7 segment with the link and the PAY reply, in the merchant locale', () => {
    const en = invoiceSms(view());
    expect(en).toBe(
      `Mama Mboga: invoice INV-7KQ2MX KES 1,500. Pay: ${PAY_URL} or reply PAY INV-7KQ2MX`,
    );
    expect(en.length).toBeLessThanOrEqual(160);
    expect(isGsm7(en)).toBe(true);
    const sw = invoiceSms(view({ locale: 'sw' }));
    expect(sw).toContain('ankara INV-7KQ2MX');
    expect(sw.length).toBeLessThanOrEqual(160);
  });

  it('a long or fancy merchant name is shortened and cleaned to keep one segment', () => {
    const sms = invoiceSms(
      view({
        merchantName: 'Wanjiku’s Super Boutique — Fashion & Accessories of Nairobi Westlands 😀',
      }),
    );
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(isGsm7(sms)).toBe(true);
    expect(sms).toMatch(/^Wanjiku's Super Bout/);
    expect(sms).toContain(PAY_URL);
  });
});

describe('other renderers', () => {
  it('receipt: text inside the window, payment_receipt template outside', () => {
    const payment = { amount: 1500, receipt: 'SGH12ABC34', outcome: 'paid' };
    const inside = renderReceipt(
      view({ customerWindowOpen: true, amountPaid: 1500, balance: 0 }),
      payment,
      false,
    );
    expect(inside.content.type).toBe('text');
    expect(inside.smsText).toContain('SGH12ABC34');
    const outside = renderReceipt(view({ amountPaid: 1500, balance: 0 }), payment, false);
    expect(outside.content).toEqual({
      type: 'template',
      name: 'payment_receipt',
      language: 'en',
      bodyParameters: ['KES 1,500', 'INV-7KQ2MX', 'SGH12ABC34'],
    });
    const partial = renderReceipt(
      view({ customerWindowOpen: true, amountPaid: 500, balance: 1000 }),
      { ...payment, amount: 500 },
      true,
    );
    expect(partial.content).toMatchObject({ type: 'buttons', buttons: [{ id: 'pay:INV-7KQ2MX' }] });
  });

  it('payment failed: plain words and a Try again button; SMS when the window is closed', () => {
    const inside = renderPaymentFailed(view({ customerWindowOpen: true }), 'wrong_pin');
    expect(inside.channel).toBe('auto');
    expect(inside.content).toMatchObject({
      type: 'buttons',
      buttons: [{ id: 'pay:INV-7KQ2MX', title: 'Try again' }],
    });
    expect(inside.content.type === 'buttons' && inside.content.body).toContain('PIN was wrong');
    const outside = renderPaymentFailed(view(), 'insufficient_funds');
    expect(outside.channel).toBe('sms');
    expect(outside.smsText).toContain('Reply PAY INV-7KQ2MX');
    expect(renderPaymentFailed(view(), null).smsText).toContain('could not complete');
  });

  it('merchant notices by topic; unknown topics give nothing', () => {
    const paid = renderMerchantNotice(view({ amountPaid: 1500, balance: 0 }), 'paid', {
      amount: 1500,
      receipt: 'SGH12ABC34',
      outcome: 'paid',
    });
    expect(paid).toMatchObject({
      to: '+254722000111',
      channel: 'auto',
      purpose: 'merchant_notice',
    });
    expect(paid?.smsText).toContain('Jane Wanjiku paid KES 1,500');
    const undelivered = renderMerchantNotice(
      view({ merchantWindowOpen: false }),
      'undelivered',
      null,
    );
    expect(undelivered?.channel).toBe('sms');
    expect(undelivered?.smsText).toContain('could not deliver invoice INV-7KQ2MX');
    const failed = renderMerchantNotice(view(), 'payment_failed', {
      amount: 0,
      receipt: null,
      outcome: 'cancelled',
    });
    expect(failed?.smsText).toContain('they cancelled the M-PESA request');
    expect(renderMerchantNotice(view(), 'payment_review', null)?.smsText).toContain('INV-7KQ2MX');
    expect(renderMerchantNotice(view(), 'something_new', null)).toBeNull();
  });

  it('cancellation notices for the customer and the merchant', () => {
    expect(renderCancelledToCustomer(view()).smsText).toBe(
      'Mama Mboga has cancelled invoice INV-7KQ2MX. You do not need to pay it.',
    );
    expect(renderCancelledToCustomer(view()).channel).toBe('sms');
    expect(renderCancelledToMerchant(view()).to).toBe('+254722000111');
  });
});

describe('sms text helpers', () => {
  it('maps look-alikes to GSM-7 and drops the rest', () => {
    expect(toGsm7('Wanjiku’s “best” – shop… 😀')).toBe('Wanjiku\'s "best" - shop... ');
  });

  it('keeps a text that fits as it is', () => {
    expect(fitOneSegment((m) => `${m}: hi`, 'Shop')).toBe('Shop: hi');
  });
});
