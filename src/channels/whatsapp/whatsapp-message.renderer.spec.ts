import { renderWhatsAppMessage } from './whatsapp-message.renderer';

const TO = '254712345678';

function problem(result: ReturnType<typeof renderWhatsAppMessage>): string {
  if (result.ok) throw new Error('expected a problem');
  return result.problem;
}

describe('renderWhatsAppMessage', () => {
  it('renders text with the envelope and preview_url false', () => {
    expect(renderWhatsAppMessage(TO, { type: 'text', body: 'Habari' })).toEqual({
      ok: true,
      payload: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: TO,
        type: 'text',
        text: { preview_url: false, body: 'Habari' },
      },
    });
  });

  it('refuses an empty or over-long text body and a non-digit recipient', () => {
    expect(problem(renderWhatsAppMessage(TO, { type: 'text', body: '' }))).toContain('empty');
    expect(problem(renderWhatsAppMessage(TO, { type: 'text', body: 'x'.repeat(4097) }))).toContain(
      '4097 characters (max 4096)',
    );
    expect(renderWhatsAppMessage(TO, { type: 'text', body: 'x'.repeat(4096) }).ok).toBe(true);
    expect(problem(renderWhatsAppMessage('+254712345678', { type: 'text', body: 'x' }))).toContain(
      'recipient',
    );
  });

  it('renders reply buttons', () => {
    const result = renderWhatsAppMessage(TO, {
      type: 'buttons',
      body: 'Invoice INV-1: KES 1,500',
      footer: 'InvoiceIQ',
      buttons: [
        { id: 'pay:INV-1', title: 'Pay with M-PESA' },
        { id: 'help:INV-1', title: 'Help' },
      ],
    });
    expect(result).toMatchObject({
      ok: true,
      payload: {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Invoice INV-1: KES 1,500' },
          footer: { text: 'InvoiceIQ' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'pay:INV-1', title: 'Pay with M-PESA' } },
              { type: 'reply', reply: { id: 'help:INV-1', title: 'Help' } },
            ],
          },
        },
      },
    });
  });

  it('refuses 4 buttons, long or duplicate titles, long ids, bodies and footers', () => {
    const b = (title: string, id = title) => ({ id, title });
    const base = { type: 'buttons' as const, body: 'Pick one' };
    expect(
      problem(renderWhatsAppMessage(TO, { ...base, buttons: [b('a'), b('b'), b('c'), b('d')] })),
    ).toContain('4 buttons');
    expect(problem(renderWhatsAppMessage(TO, { ...base, buttons: [b('x'.repeat(21))] }))).toContain(
      'button 1 title is 21 characters (max 20)',
    );
    expect(
      problem(renderWhatsAppMessage(TO, { ...base, buttons: [b('Same', '1'), b('Same', '2')] })),
    ).toContain('button titles are not unique');
    expect(
      problem(renderWhatsAppMessage(TO, { ...base, buttons: [b('ok', 'i'.repeat(257))] })),
    ).toContain('button 1 id is 257 characters');
    expect(
      problem(renderWhatsAppMessage(TO, { ...base, body: 'x'.repeat(1025), buttons: [b('ok')] })),
    ).toContain('body is 1025 characters (max 1024)');
    expect(
      problem(renderWhatsAppMessage(TO, { ...base, footer: 'f'.repeat(61), buttons: [b('ok')] })),
    ).toContain('footer is 61 characters (max 60)');
    expect(problem(renderWhatsAppMessage(TO, { ...base, buttons: [] }))).toContain('0 buttons');
  });

  it('renders a list with one section and checks rows', () => {
    const rows = [
      { id: 'edit:amount', title: 'Amount' },
      { id: 'edit:desc', title: 'Description', description: 'What the invoice is for' },
    ];
    const result = renderWhatsAppMessage(TO, {
      type: 'list',
      body: 'What to change?',
      buttonText: 'Fields',
      rows,
    });
    expect(result).toMatchObject({
      ok: true,
      payload: {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'What to change?' },
          action: { button: 'Fields', sections: [{ rows }] },
        },
      },
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    expect(
      problem(
        renderWhatsAppMessage(TO, { type: 'list', body: 'b', buttonText: 'B', rows: eleven }),
      ),
    ).toContain('11 list rows');
    expect(
      problem(
        renderWhatsAppMessage(TO, {
          type: 'list',
          body: 'b',
          buttonText: 'B',
          rows: [{ id: 'r', title: 't'.repeat(25) }],
        }),
      ),
    ).toContain('row 1 title is 25 characters (max 24)');
  });

  it('renders a CTA URL button and refuses a non-http URL', () => {
    expect(
      renderWhatsAppMessage(TO, {
        type: 'cta',
        body: 'Pay your invoice',
        displayText: 'Pay invoice',
        url: 'https://pay.example/p/abc',
      }),
    ).toMatchObject({
      ok: true,
      payload: {
        type: 'interactive',
        interactive: {
          type: 'cta_url',
          body: { text: 'Pay your invoice' },
          action: {
            name: 'cta_url',
            parameters: { display_text: 'Pay invoice', url: 'https://pay.example/p/abc' },
          },
        },
      },
    });
    expect(
      problem(
        renderWhatsAppMessage(TO, {
          type: 'cta',
          body: 'b',
          displayText: 'Pay',
          url: 'javascript:alert(1)',
        }),
      ),
    ).toContain('url');
  });

  it('renders a template with body parameters and quick-reply payloads by index', () => {
    const result = renderWhatsAppMessage(TO, {
      type: 'template',
      name: 'invoice_new',
      language: 'sw',
      bodyParameters: ['Jane', 'Duka', 'KES 1,500', 'INV-1'],
      quickReplyPayloads: ['pay:INV-1'],
    });
    expect(result).toEqual({
      ok: true,
      payload: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: TO,
        type: 'template',
        template: {
          name: 'invoice_new',
          language: { code: 'sw' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Jane' },
                { type: 'text', text: 'Duka' },
                { type: 'text', text: 'KES 1,500' },
                { type: 'text', text: 'INV-1' },
              ],
            },
            {
              type: 'button',
              sub_type: 'quick_reply',
              index: '0',
              parameters: [{ type: 'payload', payload: 'pay:INV-1' }],
            },
          ],
        },
      },
    });
  });

  it('refuses template parameters Meta would reject', () => {
    const t = (bodyParameters: string[]) =>
      renderWhatsAppMessage(TO, { type: 'template', name: 'x', language: 'en', bodyParameters });
    expect(problem(t(['two\nlines']))).toContain('parameter 1 has a line break');
    expect(problem(t(['ok', 'a     b']))).toContain('parameter 2');
    expect(problem(t(['ok', ' ']))).toContain('parameter 2 is empty');
    expect(
      problem(
        renderWhatsAppMessage(TO, {
          type: 'template',
          name: 'Invoice New',
          language: 'en',
          bodyParameters: [],
        }),
      ),
    ).toContain('template name');
  });

  it('renders a document by link', () => {
    expect(
      renderWhatsAppMessage(TO, {
        type: 'document',
        link: 'https://x.example/r.pdf',
        filename: 'receipt.pdf',
        caption: 'Your receipt',
      }),
    ).toMatchObject({
      ok: true,
      payload: {
        type: 'document',
        document: {
          link: 'https://x.example/r.pdf',
          filename: 'receipt.pdf',
          caption: 'Your receipt',
        },
      },
    });
  });
});
