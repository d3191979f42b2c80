import type { EntityManager } from 'typeorm';
import { typedFake } from '../../test/utils/typed-fake';
import type { MessageLog } from '../channels/delivery/message-log';
import type { LatestOutboundMessage } from '../channels/message.repository';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import type { InvoiceRecord } from '../invoices/invoice.record';
import type { InvoicesService } from '../invoices/invoices.service';
import type { MerchantRecord } from '../merchants/merchant.record';
import type { CustomersService } from '../merchants/customers.service';
import type { MerchantsService } from '../merchants/merchants.service';
import { ManualClock } from '../runtime/clock';
import type { DeliverPort, DeliveryRequest } from '../runtime/deliver-port';
import type { MachineRunner } from '../runtime/machine-runner';
import type { TransitionRepository } from '../runtime/transition.repository';
import { BotTurn } from './bot-turn';
import { MerchantCommands, REMIND_INTERVAL_MS } from './merchant-commands';

/*
 * The bot's merchant commands at the service tier: MerchantCommands over a typed fake of the
 * runtime's TransitionRepository and fakes of the services it reaches other tables through.
 * Every read and write must use the turn's own transaction, and every answer leaves as one
 * delivery in it.
 */

const TX = { name: 'the turn transaction' } as unknown as EntityManager;
const NOW = new Date('2026-03-02T10:00:00+03:00');

const merchant: MerchantRecord = {
  id: '2d0c6a0e-5a4b-4c8e-9f1d-3b2a1c0d9e8f',
  displayName: 'Duka Bora',
  whatsappPhone: '+254700000001',
  locale: 'en',
  allowPartialPayments: true,
  apiKeyPrefix: null,
  createdAt: NOW,
};

const invoice = (overrides: Partial<InvoiceRecord> = {}): InvoiceRecord => ({
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  ref: 'INV-7KQ2MX',
  merchantId: merchant.id,
  customerId: '7e6d5c4b-3a29-4817-8f6e-5d4c3b2a1908',
  customerPhone: '+254712345678',
  customerName: 'Jane',
  amount: 1500,
  amountPaid: 0,
  balance: 1500,
  currency: 'KES',
  description: 'Logo design',
  dueDate: null,
  payToken: 'tok',
  state: 'SENT',
  version: 2,
  createdAt: NOW,
  sentAt: NOW,
  paidAt: null,
  cancelledAt: null,
  ...overrides,
});

function setUp() {
  const clock = new ManualClock(NOW);
  const delivered: DeliveryRequest[] = [];
  const deliveries = {
    deliver: jest.fn((tx: EntityManager, request: DeliveryRequest) => {
      expect(tx).toBe(TX);
      delivered.push(request);
      return Promise.resolve();
    }),
  };
  const transitions = typedFake<TransitionRepository>({
    insert: jest.fn(),
    lastAcceptedAt: jest.fn().mockResolvedValue(null),
  });
  const invoices = {
    create: jest.fn(),
    findByRef: jest.fn(),
    listOpen: jest.fn(),
  };
  const runner = { send: jest.fn() };
  const merchants = { setLocale: jest.fn().mockResolvedValue(undefined) };
  const customers = { list: jest.fn(), findByPhone: jest.fn(), findByName: jest.fn() };
  const messages = {
    latestForInvoice: jest.fn<Promise<LatestOutboundMessage | null>, [EntityManager, string]>(),
  };
  const commands = new MerchantCommands(
    invoices as unknown as InvoicesService,
    runner as unknown as MachineRunner,
    clock,
    customers as unknown as CustomersService,
    merchants as unknown as MerchantsService,
    transitions as unknown as TransitionRepository,
    messages as unknown as MessageLog,
  );
  const message: InboundMessage = {
    channel: 'whatsapp',
    id: 'wamid.TEST1',
    from: merchant.whatsappPhone,
    type: 'text',
    text: 'x',
    receivedAt: NOW,
  };
  const turn = new BotTurn(message, TX, deliveries as unknown as DeliverPort, 'en');
  const replyKeys = () => delivered.map((d) => d.message.replyKey);
  return {
    clock,
    turn,
    commands,
    invoices,
    runner,
    merchants,
    transitions,
    messages,
    delivered,
    replyKeys,
  };
}

describe('MerchantCommands (bot commands over typed fakes)', () => {
  it('creates a one-line invoice inside the turn and answers with its summary', async () => {
    const s = setUp();
    const created = invoice({ state: 'READY' });
    s.invoices.create.mockResolvedValue(created);
    await s.commands.createInvoice(
      s.turn,
      merchant,
      { phone: '+254712345678', name: 'Jane', amount: 1500, description: 'Logo design' },
      'bot:whatsapp:wamid.TEST1',
    );
    expect(s.invoices.create).toHaveBeenCalledWith(
      TX,
      merchant.id,
      {
        customerPhone: '+254712345678',
        customerName: 'Jane',
        amount: 1500,
        description: 'Logo design',
      },
      { idempotencyKey: 'bot:whatsapp:wamid.TEST1', source: 'bot:whatsapp' },
    );
    expect(s.replyKeys()).toEqual(['invoice_created']);
    expect(s.delivered[0]).toMatchObject({
      key: 'bot:whatsapp:wamid.TEST1:0',
      message: { to: merchant.whatsappPhone, channel: 'whatsapp', invoiceId: created.id },
    });
  });

  it('a failed creation answers nothing (the turn rolls back and the queue runs it again)', async () => {
    const s = setUp();
    s.invoices.create.mockRejectedValue(new Error('database went away'));
    await expect(
      s.commands.createInvoice(
        s.turn,
        merchant,
        { phone: '+254712345678', name: null, amount: 1500, description: 'Logo' },
        'k',
      ),
    ).rejects.toThrow('database went away');
    expect(s.delivered).toEqual([]);
  });

  it('reminds at most once an hour, from the REMIND transitions of the invoice', async () => {
    const s = setUp();
    s.invoices.findByRef.mockResolvedValue(invoice());
    s.transitions.lastAcceptedAt.mockResolvedValue(
      new Date(NOW.getTime() - REMIND_INTERVAL_MS / 2),
    );
    await s.commands.remind(s.turn, merchant, 'inv-7kq2mx');
    expect(s.invoices.findByRef).toHaveBeenCalledWith(merchant.id, 'inv-7kq2mx', TX);
    expect(s.transitions.lastAcceptedAt).toHaveBeenCalledWith(
      TX,
      'invoice',
      invoice().id,
      'REMIND',
    );
    expect(s.runner.send).not.toHaveBeenCalled();
    expect(s.replyKeys()).toEqual(['remind_rate_limited']);

    s.transitions.lastAcceptedAt.mockResolvedValue(new Date(NOW.getTime() - REMIND_INTERVAL_MS));
    s.runner.send.mockResolvedValue({ accepted: true });
    await s.commands.remind(s.turn, merchant, 'INV-7KQ2MX');
    expect(s.runner.send).toHaveBeenCalledWith(
      'invoice',
      invoice().id,
      { type: 'REMIND', by: 'merchant' },
      expect.objectContaining({ manager: TX, source: 'bot:whatsapp' }),
    );
    expect(s.replyKeys()).toEqual(['remind_rate_limited', 'reminder_sent']);
  });

  it('explains instead of acting on paid, cancelled or mid-payment invoices', async () => {
    for (const [state, key] of [
      ['PAID', 'invoice_already_paid'],
      ['CANCELLED', 'invoice_already_cancelled'],
      ['PAYMENT_INIT', 'invoice_action_refused'],
    ] as const) {
      const s = setUp();
      s.invoices.findByRef.mockResolvedValue(invoice({ state }));
      await s.commands.cancel(s.turn, merchant, 'INV-7KQ2MX');
      expect(s.runner.send).not.toHaveBeenCalled();
      expect(s.replyKeys()).toEqual([key]);
    }
  });

  it("answers another merchant's ref exactly like one that does not exist", async () => {
    const s = setUp();
    s.invoices.findByRef.mockResolvedValue(null);
    await s.commands.status(s.turn, merchant, 'INV-AAAAAA');
    expect(s.replyKeys()).toEqual(['not_found']);
    expect(s.messages.latestForInvoice).not.toHaveBeenCalled();
  });

  it('lists open invoices, or says there are none', async () => {
    const s = setUp();
    s.invoices.listOpen.mockResolvedValue([]);
    await s.commands.list(s.turn, merchant);
    s.invoices.listOpen.mockResolvedValue([
      invoice(),
      invoice({ ref: 'INV-8LR3NY', balance: 200 }),
    ]);
    await s.commands.list(s.turn, merchant);
    expect(s.invoices.listOpen).toHaveBeenCalledWith(merchant.id, expect.any(Number), TX);
    expect(s.replyKeys()).toEqual(['list_empty', 'list_reply']);
  });

  it('switches the language in the turn and answers in the new one', async () => {
    const s = setUp();
    await s.commands.setLanguage(s.turn, merchant, 'sw');
    expect(s.merchants.setLocale).toHaveBeenCalledWith(TX, merchant.id, 'sw');
    expect(s.turn.locale).toBe('sw');
    // Rendered when it leaves, in the language it was asked in.
    expect(s.delivered[0].message).toMatchObject({ replyKey: 'language_switched', locale: 'sw' });
  });
});
