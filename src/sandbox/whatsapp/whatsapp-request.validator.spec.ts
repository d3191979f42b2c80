import { validateSendRequest } from './whatsapp-request.validator';

const TO = '254712345678';
const envelope = (type: string, content: object) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: TO,
  type,
  [type]: content,
});
const codeOf = (body: unknown): number | 'ok' => {
  const r = validateSendRequest(body);
  return r.ok ? 'ok' : r.error.code;
};

describe('validateSendRequest (simulated Cloud API)', () => {
  it('accepts every message type a client sends, as PROTOCOLS.md §2 writes it', () => {
    // Literal wire bodies, not the app's renderer: the simulator is checked against the protocol.
    const bodies: Record<string, object> = {
      text: envelope('text', { preview_url: false, body: 'Hi' }),
      buttons: envelope('interactive', {
        type: 'button',
        body: { text: 'Invoice INV-1: KES 1,200' },
        footer: { text: 'InvoiceIQ' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'pay:INV-1', title: 'Pay with M-PESA' } },
            { type: 'reply', reply: { id: 'help', title: 'Help' } },
          ],
        },
      }),
      list: envelope('interactive', {
        type: 'list',
        body: { text: 'b' },
        action: { button: 'Pick', sections: [{ rows: [{ id: 'r', title: 'Row' }] }] },
      }),
      cta: envelope('interactive', {
        type: 'cta_url',
        body: { text: 'b' },
        action: {
          name: 'cta_url',
          parameters: { display_text: 'Pay invoice', url: 'https://x.example' },
        },
      }),
      template: envelope('template', {
        name: 'invoice_new',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
              { type: 'text', text: 'c' },
              { type: 'text', text: 'd' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'pay:1' }],
          },
        ],
      }),
      document: envelope('document', { link: 'https://x.example/a.pdf', filename: 'a.pdf' }),
    };
    for (const [type, body] of Object.entries(bodies)) {
      expect({ type, code: codeOf(body) }).toEqual({ type, code: 'ok' });
    }
  });

  it('answers envelope problems with 100', () => {
    expect(codeOf(null)).toBe(100);
    expect(codeOf({ ...envelope('text', { body: 'x' }), messaging_product: 'sms' })).toBe(100);
    expect(codeOf({ ...envelope('text', { body: 'x' }), recipient_type: 'group' })).toBe(100);
    expect(codeOf({ ...envelope('text', { body: 'x' }), to: '0712 345 678' })).toBe(100);
    expect(codeOf(envelope('carrier_pigeon', {}))).toBe(100);
    expect(codeOf({ ...envelope('text', { body: 'x' }), text: undefined })).toBe(100);
    expect(codeOf(envelope('text', { body: 'x'.repeat(4097) }))).toBe(100);
    expect(codeOf({ ...envelope('text', { body: 'x' }), to: `+${TO}` })).toBe('ok');
  });

  it('answers interactive limits with 131009', () => {
    const list = (rows: object[], extra: object = {}) =>
      envelope('interactive', {
        type: 'list',
        body: { text: 'b' },
        action: { button: 'Pick', sections: [{ rows }] },
        ...extra,
      });
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: 'T' }));
    expect(codeOf(list(rows(10)))).toBe('ok');
    expect(codeOf(list(rows(11)))).toBe(131009);
    expect(codeOf(list([{ id: 'r', title: 'x'.repeat(25) }]))).toBe(131009);
    expect(
      codeOf(
        list([
          { id: 'r', title: 'a' },
          { id: 'r', title: 'b' },
        ]),
      ),
    ).toBe(131009);
    expect(codeOf(list(rows(1), { footer: { text: 'f'.repeat(61) } }))).toBe(131009);
    const cta = (url: string, display = 'Pay') =>
      envelope('interactive', {
        type: 'cta_url',
        body: { text: 'b' },
        action: { name: 'cta_url', parameters: { display_text: display, url } },
      });
    expect(codeOf(cta('ftp://x.example'))).toBe(131009);
    expect(codeOf(cta('https://x.example', 'x'.repeat(21)))).toBe(131009);
  });

  it('checks templates against the registry', () => {
    const tpl = (name: string, language: string, params: string[], buttons: object[] = []) =>
      envelope('template', {
        name,
        language: { code: language },
        components: [
          { type: 'body', parameters: params.map((text) => ({ type: 'text', text })) },
          ...buttons,
        ],
      });
    expect(codeOf(tpl('invoice_reminder', 'sw', ['a', 'b', 'c']))).toBe('ok');
    expect(codeOf(tpl('invoice_reminder', 'sw', ['a', 'b']))).toBe(132000);
    expect(codeOf(tpl('invoice_reminder', 'de', ['a', 'b', 'c']))).toBe(132001);
    expect(codeOf(tpl('toString', 'en', []))).toBe(132001);
    expect(codeOf(tpl('payment_receipt', 'en', ['a\nb', 'b', 'c']))).toBe(132018);
    const button = (index: string) => ({
      type: 'button',
      sub_type: 'quick_reply',
      index,
      parameters: [{ type: 'payload', payload: 'p' }],
    });
    expect(codeOf(tpl('invoice_new', 'en', ['a', 'b', 'c', 'd'], [button('0')]))).toBe('ok');
    expect(codeOf(tpl('invoice_new', 'en', ['a', 'b', 'c', 'd'], [button('1')]))).toBe(131009);
    expect(codeOf(tpl('payment_receipt', 'en', ['a', 'b', 'c'], [button('0')]))).toBe(131009);
  });

  it('marks only templates as allowed outside the window', () => {
    const text = validateSendRequest(envelope('text', { body: 'x' }));
    expect(text.ok && text.request.isTemplate).toBe(false);
    const tpl = validateSendRequest(
      envelope('template', {
        name: 'payment_receipt',
        language: { code: 'en' },
        components: [
          { type: 'body', parameters: ['a', 'b', 'c'].map((t) => ({ type: 'text', text: t })) },
        ],
      }),
    );
    expect(tpl.ok && tpl.request).toMatchObject({
      isTemplate: true,
      preview: 'Payment received: a for invoice b. M-PESA receipt c. Thank you!',
    });
  });
});
