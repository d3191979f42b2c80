import { renderSms } from './sms-render';

describe('renderSms', () => {
  it('sends text as is (trimmed)', () => {
    expect(renderSms({ type: 'text', body: '  Hello  ' })).toBe('Hello');
  });

  it('turns buttons into numbered reply lines, keeping the footer', () => {
    expect(
      renderSms({
        type: 'buttons',
        body: 'Invoice INV-7KQ2MX: KES 1,500',
        footer: 'InvoiceIQ',
        buttons: [
          { id: 'pay:INV-7KQ2MX', title: 'Pay with M-PESA' },
          { id: 'help', title: 'Help' },
        ],
      }),
    ).toBe(
      'Invoice INV-7KQ2MX: KES 1,500\nReply 1 for Pay with M-PESA\nReply 2 for Help\nInvoiceIQ',
    );
  });

  it('turns a list into numbered reply lines with descriptions', () => {
    expect(
      renderSms({
        type: 'list',
        body: 'Pick one',
        buttonText: 'Options',
        rows: [
          { id: 'a', title: 'Send', description: 'now' },
          { id: 'b', title: 'Cancel' },
        ],
      }),
    ).toBe('Pick one\nReply 1 for Send (now)\nReply 2 for Cancel');
  });

  it('puts a call to action as label and URL', () => {
    expect(
      renderSms({ type: 'cta', body: 'Your invoice', displayText: 'Pay', url: 'https://x.ke/p/1' }),
    ).toBe('Your invoice\nPay: https://x.ke/p/1');
  });

  it('renders a template as its parameters line by line', () => {
    const content = {
      type: 'template' as const,
      name: 'invoice_new',
      language: 'en',
      bodyParameters: ['Acme', 'INV-1', 'KES 1,500'],
    };
    expect(renderSms(content)).toBe('Acme\nINV-1\nKES 1,500');
  });

  it('sends a document as its caption (or file name) and link', () => {
    expect(
      renderSms({
        type: 'document',
        link: 'https://x.ke/r.pdf',
        filename: 'r.pdf',
        caption: 'Receipt',
      }),
    ).toBe('Receipt\nhttps://x.ke/r.pdf');
    expect(renderSms({ type: 'document', link: 'https://x.ke/r.pdf', filename: 'r.pdf' })).toBe(
      'r.pdf\nhttps://x.ke/r.pdf',
    );
  });
});
