import { parseWhatsAppWebhook } from './whatsapp-webhook.parser';

const TS = '1749416383';
const AT = new Date(1749416383 * 1000);

function envelope(value: Record<string, unknown>, field = 'messages') {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

function inbound(message: Record<string, unknown>, name = 'Sheena Nelson') {
  return envelope({
    contacts: [{ profile: { name }, wa_id: '254712345678' }],
    messages: [{ from: '254712345678', id: 'wamid.IN1', timestamp: TS, ...message }],
  });
}

describe('parseWhatsAppWebhook', () => {
  it('parses an inbound text (PROTOCOLS.md example)', () => {
    const body = inbound({
      type: 'text',
      text: { body: 'invoice 0712345678 500 Website design' },
    });
    expect(parseWhatsAppWebhook(body)).toEqual([
      {
        kind: 'message',
        id: 'wamid.IN1',
        from: '+254712345678',
        timestamp: AT,
        profileName: 'Sheena Nelson',
        message: { type: 'text', text: 'invoice 0712345678 500 Website design' },
      },
    ]);
  });

  it('parses a reply-button tap with its context', () => {
    const body = inbound({
      type: 'interactive',
      context: { from: '15550783881', id: 'wamid.OUT1' },
      interactive: {
        type: 'button_reply',
        button_reply: { id: 'pay:INV-1', title: 'Pay with M-PESA' },
      },
    });
    expect(parseWhatsAppWebhook(body)).toEqual([
      expect.objectContaining({
        kind: 'message',
        message: { type: 'button_reply', id: 'pay:INV-1', title: 'Pay with M-PESA' },
        contextMessageId: 'wamid.OUT1',
      }),
    ]);
  });

  it('parses a list reply', () => {
    const body = inbound({
      type: 'interactive',
      interactive: {
        type: 'list_reply',
        list_reply: { id: 'edit:amount', title: 'Amount', description: 'Change the amount' },
      },
    });
    const [event] = parseWhatsAppWebhook(body);
    expect(event).toMatchObject({
      kind: 'message',
      message: { type: 'list_reply', id: 'edit:amount', title: 'Amount' },
    });
    expect(event).not.toHaveProperty('contextMessageId');
  });

  it('parses a template quick-reply button', () => {
    const body = inbound({
      type: 'button',
      context: { from: '15550783881', id: 'wamid.TPL1' },
      button: { payload: 'pay:INV-1', text: 'Pay with M-PESA' },
    });
    expect(parseWhatsAppWebhook(body)).toEqual([
      expect.objectContaining({
        message: { type: 'template_button', payload: 'pay:INV-1', text: 'Pay with M-PESA' },
        contextMessageId: 'wamid.TPL1',
      }),
    ]);
  });

  it.each([
    ['image', { image: { id: 'media-1', mime_type: 'image/jpeg', sha256: 'x' } }],
    ['sticker', { sticker: { id: 'media-2', mime_type: 'image/webp', animated: false } }],
    ['reaction', { reaction: { message_id: 'wamid.OUT1', emoji: '👍' } }],
    ['location', { location: { latitude: -1.28, longitude: 36.82 } }],
    ['unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }],
  ])('marks a %s message as unsupported', (type, extra) => {
    expect(parseWhatsAppWebhook(inbound({ type, ...extra }))).toEqual([
      expect.objectContaining({
        kind: 'message',
        id: 'wamid.IN1',
        message: { type: 'unsupported', originalType: type },
      }),
    ]);
  });

  it('marks an interactive reply of another kind (flows) as unsupported', () => {
    const body = inbound({
      type: 'interactive',
      interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } },
    });
    expect(parseWhatsAppWebhook(body)[0]).toMatchObject({
      message: { type: 'unsupported', originalType: 'interactive:nfm_reply' },
    });
  });

  it('parses statuses, including failed with errors', () => {
    const body = envelope({
      statuses: [
        { id: 'wamid.A', status: 'sent', timestamp: '1750030073', recipient_id: '254712345678' },
        { id: 'wamid.A', status: 'delivered', timestamp: 1750030074, recipient_id: '254712345678' },
        { id: 'wamid.A', status: 'read', timestamp: '1750030075', recipient_id: '254712345678' },
        {
          id: 'wamid.B',
          status: 'failed',
          timestamp: '1750030076',
          recipient_id: '254112345678',
          errors: [
            {
              code: 131047,
              title: 'Re-engagement message',
              message: 'Re-engagement message',
              error_data: { details: 'More than 24 hours have passed' },
            },
          ],
        },
      ],
    });
    expect(parseWhatsAppWebhook(body)).toEqual([
      {
        kind: 'status',
        id: 'wamid.A',
        status: 'sent',
        timestamp: new Date(1750030073000),
        recipient: '+254712345678',
      },
      expect.objectContaining({ status: 'delivered', timestamp: new Date(1750030074000) }),
      expect.objectContaining({ status: 'read' }),
      {
        kind: 'status',
        id: 'wamid.B',
        status: 'failed',
        timestamp: new Date(1750030076000),
        recipient: '+254112345678',
        errors: [{ code: 131047, title: 'Re-engagement message' }],
      },
    ]);
  });

  it('reads messages and statuses of several entries and changes in one body', () => {
    const a = inbound({ type: 'text', text: { body: 'hi' } });
    const b = envelope({
      statuses: [{ id: 'wamid.S', status: 'sent', timestamp: TS, recipient_id: '254712345678' }],
    });
    const body = { object: 'whatsapp_business_account', entry: [...a.entry, ...b.entry] };
    expect(parseWhatsAppWebhook(body).map((e) => e.kind)).toEqual(['message', 'status']);
  });

  it('reads the bare value 360dialog v1 posted', () => {
    const body = {
      contacts: [{ profile: { name: 'Jane' }, wa_id: '254712345678' }],
      messages: [
        { from: '254712345678', id: 'wamid.X', timestamp: TS, type: 'text', text: { body: 'x' } },
      ],
    };
    expect(parseWhatsAppWebhook(body)).toEqual([
      expect.objectContaining({ kind: 'message', id: 'wamid.X', profileName: 'Jane' }),
    ]);
  });

  it('answers unknown for other fields, odd statuses and broken items, without throwing', () => {
    expect(parseWhatsAppWebhook(envelope({ event: 'x' }, 'account_update'))).toEqual([
      { kind: 'unknown', reason: 'change field "account_update"' },
    ]);
    expect(
      parseWhatsAppWebhook(
        envelope({
          statuses: [
            { id: 'wamid.D', status: 'deleted', timestamp: TS, recipient_id: '254712345678' },
          ],
        }),
      ),
    ).toEqual([{ kind: 'unknown', reason: 'status "deleted"' }]);
    const broken = envelope({
      messages: [
        null,
        { id: 'wamid.1', from: 'not-a-number', timestamp: TS, type: 'text', text: { body: 'x' } },
        { id: 'wamid.2', from: '254712345678', timestamp: 'yesterday', type: 'text' },
        { id: 'wamid.3', from: '254712345678', timestamp: TS, type: 'text' },
        { from: '254712345678', timestamp: TS, type: 'text', text: { body: 'x' } },
      ],
    });
    expect(parseWhatsAppWebhook(broken).map((e) => e.kind)).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', [1, 2]],
    ['a string', 'hello'],
    ['a number', 42],
    ['an empty object', {}],
    ['another object type', { object: 'page', entry: [] }],
    ['entry not an array', { object: 'whatsapp_business_account', entry: 'x' }],
    ['an empty entry list', { object: 'whatsapp_business_account', entry: [] }],
    ['entry items without changes', { object: 'whatsapp_business_account', entry: [{ id: 1 }] }],
    [
      'a change with no value',
      { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages' }] }] },
    ],
    ['a value with nothing in it', envelope({})],
  ])('answers unknown for %s', (_label, body) => {
    const events = parseWhatsAppWebhook(body);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.kind).toBe('unknown');
  });

  it('survives hostile objects (getters that throw)', () => {
    const hostile = {
      object: 'whatsapp_business_account',
      get entry(): unknown {
        throw new Error('boom');
      },
    };
    expect(parseWhatsAppWebhook(hostile)).toEqual([
      { kind: 'unknown', reason: 'parser failure: boom' },
    ]);
  });
});
