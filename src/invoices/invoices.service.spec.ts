import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { asDependency, notCalled, typedFake, type TypedFake } from '../../test/utils/typed-fake';
import { DomainError } from '../common/http/domain-error';
import { loadConfig } from '../config/load-config';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import type { SavedCustomer } from '../merchants/customer.record';
import type { CustomersService } from '../merchants/customers.service';
import type { MerchantsService } from '../merchants/merchants.service';
import { ManualClock } from '../runtime/clock';
import type { PersistedMachineSnapshot } from '../runtime/machine-definition';
import type { MachineRunner } from '../runtime/machine-runner';
import { invoiceRequestHash } from './invoice-request-hash';
import { REF_PATTERN } from './invoice-tokens';
import type { InvoiceRecord } from './invoice.record';
import type { InvoiceRepository, KeyedInvoice, NewInvoice } from './invoice.repository';
import { type CreateInvoiceInput, InvoicesService } from './invoices.service';
import { expiryTime, reminderPlan, reminderSettingsFrom } from './reminder-plan';

/*
 * Invoice creation at the service tier: InvoicesService over typed fakes of InvoiceRepository,
 * CustomersService, MerchantsService and the machine runner. The fake repository keeps rows in
 * memory with the table's unique keys (ref, pay token, merchant + Idempotency-Key), so replays
 * and races run through the same code paths as on PostgreSQL.
 */

const MERCHANT_ID = '2d0c6a0e-5a4b-4c8e-9f1d-3b2a1c0d9e8f';
const OTHER_MERCHANT_ID = '7e6d5c4b-3a29-4817-8f6e-5d4c3b2a1908';
const CUSTOMER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const NOW = '2026-01-15T09:00:00+03:00';

const body = (overrides: Partial<CreateInvoiceInput> = {}): CreateInvoiceInput => ({
  customerPhone: '0712345678',
  customerName: 'Jane Wanjiku',
  amount: 1500,
  description: 'Two bags of maize flour',
  dueDate: '2026-01-31',
  ...overrides,
});

interface StoredInvoice {
  record: InvoiceRecord;
  idempotencyKey: string | null;
  requestHash: string;
}

/** `invoices` with its unique keys; a conflicting insert answers null, as ON CONFLICT DO NOTHING. */
class InvoiceTable {
  readonly rows: StoredInvoice[] = [];

  insert(draft: NewInvoice): { id: string } | null {
    const taken = this.rows.some(
      ({ record, idempotencyKey }) =>
        record.ref === draft.ref ||
        record.payToken === draft.payToken ||
        (draft.idempotencyKey !== null &&
          record.merchantId === draft.merchantId &&
          idempotencyKey === draft.idempotencyKey),
    );
    if (taken) return null;
    const record: InvoiceRecord = {
      id: randomUUID(),
      ref: draft.ref,
      merchantId: draft.merchantId,
      customerId: draft.customerId,
      customerPhone: draft.customerPhone,
      customerName: null,
      amount: draft.amount,
      amountPaid: 0,
      balance: draft.amount,
      currency: 'KES',
      description: draft.description,
      dueDate: draft.dueDate,
      payToken: draft.payToken,
      state: 'READY',
      version: 0,
      createdAt: draft.createdAt,
      sentAt: null,
      paidAt: null,
      cancelledAt: null,
    };
    this.rows.push({
      record,
      idempotencyKey: draft.idempotencyKey,
      requestHash: draft.requestHash,
    });
    return { id: record.id };
  }

  byId(id: string): InvoiceRecord | null {
    return this.rows.find((row) => row.record.id === id)?.record ?? null;
  }

  byKey(merchantId: string, key: string): KeyedInvoice | null {
    const row = this.rows.find(
      (r) => r.record.merchantId === merchantId && r.idempotencyKey === key,
    );
    return row ? { invoice: row.record, requestHash: row.requestHash } : null;
  }

  /** What the runner's start does to the row: a snapshot, and the version moves on. */
  started(id: string): void {
    const row = this.rows.find((r) => r.record.id === id);
    if (row) row.record = { ...row.record, version: row.record.version + 1 };
  }
}

function newInvoicesService() {
  const table = new InvoiceTable();
  const clock = new ManualClock(NOW);
  const config = loadConfig({ PUBLIC_BASE_URL: 'https://pay.example.co.ke' });
  const invoices: TypedFake<InvoiceRepository> = typedFake<InvoiceRepository>({
    insert: jest.fn((_tx: EntityManager, draft: NewInvoice) =>
      Promise.resolve(table.insert(draft)),
    ),
    findById: jest.fn((_tx: EntityManager, id: string) => Promise.resolve(table.byId(id))),
    findByIdempotencyKey: jest.fn((_tx: EntityManager, merchantId: string, key: string) =>
      Promise.resolve(table.byKey(merchantId, key)),
    ),
    findByMerchantRef: notCalled('InvoiceRepository.findByMerchantRef'),
    findByPayToken: notCalled('InvoiceRepository.findByPayToken'),
    listByMerchant: notCalled('InvoiceRepository.listByMerchant'),
    listOpenByMerchant: notCalled('InvoiceRepository.listOpenByMerchant'),
    latestForCustomer: notCalled('InvoiceRepository.latestForCustomer'),
    findCustomerViewByRef: notCalled('InvoiceRepository.findCustomerViewByRef'),
    lockByRef: notCalled('InvoiceRepository.lockByRef'),
    lockById: notCalled('InvoiceRepository.lockById'),
    countPhonesToMask: notCalled('InvoiceRepository.countPhonesToMask'),
    maskPhones: notCalled('InvoiceRepository.maskPhones'),
  });
  const customers = typedFake<CustomersService>({
    remember: jest.fn(
      (_tx: EntityManager, _merchantId: string, _customer: SavedCustomer, _at?: Date) =>
        Promise.resolve(CUSTOMER_ID),
    ),
    findByPhone: notCalled('CustomersService.findByPhone'),
    findByName: notCalled('CustomersService.findByName'),
    list: notCalled('CustomersService.list'),
    optOut: notCalled('CustomersService.optOut'),
    touchLastInbound: notCalled('CustomersService.touchLastInbound'),
  });
  const merchants = typedFake<MerchantsService>({
    reminderSettings: jest.fn((_tx: EntityManager, _merchantId: string): Promise<unknown> =>
      Promise.resolve(null),
    ),
    create: notCalled('MerchantsService.create'),
    rotateApiKey: notCalled('MerchantsService.rotateApiKey'),
    findByApiKey: notCalled('MerchantsService.findByApiKey'),
    findById: notCalled('MerchantsService.findById'),
    findByWhatsappPhone: notCalled('MerchantsService.findByWhatsappPhone'),
    list: notCalled('MerchantsService.list'),
    setLocale: notCalled('MerchantsService.setLocale'),
    touchLastInbound: notCalled('MerchantsService.touchLastInbound'),
  });
  const runner = typedFake<MachineRunner>({
    start: jest.fn(
      (
        _kind: string,
        id: string,
        _input: Record<string, unknown>,
        _tx: EntityManager,
        _source?: string,
      ) => {
        table.started(id);
        return Promise.resolve({ state: 'READY', snapshot: {} as PersistedMachineSnapshot });
      },
    ),
    send: notCalled('MachineRunner.send'),
    lastAcceptedAt: notCalled('MachineRunner.lastAcceptedAt'),
    onTransition: notCalled('MachineRunner.onTransition'),
  });
  // Creation works only in the caller's transaction: touching the service's own connection fails.
  const dataSource = {
    get manager(): EntityManager {
      throw new Error('create() used its own connection instead of the caller transaction');
    },
  } as unknown as DataSource;
  const service = new InvoicesService(
    dataSource,
    asDependency<InvoiceRepository>(invoices),
    asDependency<CustomersService>(customers),
    asDependency<MerchantsService>(merchants),
    asDependency<MachineRunner>(runner),
    clock,
    config,
  );
  return { service, table, invoices, customers, merchants, runner, clock };
}

/** A stand-in for the caller's transaction: only its identity matters here. */
const callerTransaction = (): EntityManager => ({ id: randomUUID() }) as unknown as EntityManager;

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError))
    throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('InvoicesService.create', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('saves the customer, inserts the invoice and starts its machine, all in the caller transaction', async () => {
    const { service, invoices, customers, merchants, runner, clock } = newInvoicesService();
    const tx = callerTransaction();

    const invoice = await service.create(tx, MERCHANT_ID, body(), { source: 'api' });

    const now = clock.now();
    expect(customers.remember).toHaveBeenCalledWith(
      tx,
      MERCHANT_ID,
      { phone: '+254712345678', name: 'Jane Wanjiku' },
      now,
    );
    expect(invoices.insert).toHaveBeenCalledTimes(1);
    const [insertTx, draft] = invoices.insert.mock.calls[0];
    expect(insertTx).toBe(tx);
    expect(draft).toEqual({
      ref: expect.stringMatching(REF_PATTERN),
      payToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      merchantId: MERCHANT_ID,
      customerId: CUSTOMER_ID,
      customerPhone: '+254712345678',
      amount: 1500,
      description: 'Two bags of maize flour',
      dueDate: '2026-01-31',
      idempotencyKey: null,
      requestHash: invoiceRequestHash({
        customerPhone: '+254712345678',
        customerName: 'Jane Wanjiku',
        amount: 1500,
        description: 'Two bags of maize flour',
        dueDate: '2026-01-31',
      }),
      createdAt: now,
    });
    expect(merchants.reminderSettings).toHaveBeenCalledWith(tx, MERCHANT_ID);
    expect(runner.start).toHaveBeenCalledWith(
      INVOICE_MACHINE_KIND,
      invoice.id,
      {
        invoiceId: invoice.id,
        ref: draft.ref,
        amount: 1500,
        reminders: reminderPlan({
          dueDate: '2026-01-31',
          createdAt: now,
          settings: reminderSettingsFrom(null),
        }),
        expireAt: expiryTime('2026-01-31', 30),
      },
      tx,
      'api',
    );
    // Every read and write went through the caller's transaction, none through another.
    const managers = [
      ...invoices.findById.mock.calls.map(([manager]) => manager),
      ...invoices.findByIdempotencyKey.mock.calls.map(([manager]) => manager),
      ...customers.remember.mock.calls.map(([manager]) => manager),
      ...merchants.reminderSettings.mock.calls.map(([manager]) => manager),
    ];
    expect(managers.every((manager) => manager === tx)).toBe(true);
    // The invoice as it is after the start, not the row as inserted.
    expect(invoice).toMatchObject({ ref: draft.ref, amount: 1500, state: 'READY', version: 1 });
  });

  it('records where the invoice came from, "api" unless told', async () => {
    const { service, runner } = newInvoicesService();
    await service.create(callerTransaction(), MERCHANT_ID, body());
    await service.create(callerTransaction(), MERCHANT_ID, body(), { source: 'bot:whatsapp' });
    expect(runner.start.mock.calls.map((call) => call[4])).toEqual(['api', 'bot:whatsapp']);
  });

  describe('Idempotency-Key', () => {
    it('gives back the same invoice for the same request, and writes nothing the second time', async () => {
      const { service, invoices, customers, runner } = newInvoicesService();
      const first = await service.create(callerTransaction(), MERCHANT_ID, body(), {
        idempotencyKey: 'order-1001',
      });

      // The same request written differently: a local phone number, untrimmed text.
      const again = await service.create(
        callerTransaction(),
        MERCHANT_ID,
        body({ customerPhone: '+254712345678', description: '  Two bags of maize flour ' }),
        { idempotencyKey: 'order-1001' },
      );

      expect(again).toEqual(first);
      expect(invoices.insert).toHaveBeenCalledTimes(1);
      expect(customers.remember).toHaveBeenCalledTimes(1);
      expect(runner.start).toHaveBeenCalledTimes(1);
    });

    it('refuses the same key with a different body (422) and writes nothing', async () => {
      const { service, table, invoices, runner } = newInvoicesService();
      await service.create(callerTransaction(), MERCHANT_ID, body(), { idempotencyKey: 'k-1' });

      const error = await refusal(
        service.create(callerTransaction(), MERCHANT_ID, body({ amount: 1600 }), {
          idempotencyKey: 'k-1',
        }),
      );

      expect(error.code).toBe('idempotency_key_reused');
      expect(error.status).toBe(422);
      expect(invoices.insert).toHaveBeenCalledTimes(1);
      expect(runner.start).toHaveBeenCalledTimes(1);
      expect(table.rows).toHaveLength(1);
    });

    it('scopes keys per merchant', async () => {
      const { service, table } = newInvoicesService();
      const mine = await service.create(callerTransaction(), MERCHANT_ID, body(), {
        idempotencyKey: 'shared',
      });
      const theirs = await service.create(callerTransaction(), OTHER_MERCHANT_ID, body(), {
        idempotencyKey: 'shared',
      });
      expect(theirs.id).not.toBe(mine.id);
      expect(table.rows).toHaveLength(2);
    });

    it('answers a lost race as the winner’s replay, without starting a second machine', async () => {
      const { service, table, invoices, runner } = newInvoicesService();
      // A concurrent request with the key committed between our check and our insert.
      const winner = await service.create(callerTransaction(), MERCHANT_ID, body(), {
        idempotencyKey: 'race',
      });
      invoices.findByIdempotencyKey.mockResolvedValueOnce(null);
      runner.start.mockClear();

      const tx = callerTransaction();
      const answer = await service.create(tx, MERCHANT_ID, body(), { idempotencyKey: 'race' });

      expect(answer).toEqual(winner);
      expect(invoices.insert).toHaveBeenCalledTimes(2);
      expect(invoices.findByIdempotencyKey).toHaveBeenLastCalledWith(tx, MERCHANT_ID, 'race');
      expect(runner.start).not.toHaveBeenCalled();
      expect(table.rows).toHaveLength(1);
    });

    it('refuses a lost race with a different body (422)', async () => {
      const { service, invoices } = newInvoicesService();
      await service.create(callerTransaction(), MERCHANT_ID, body(), { idempotencyKey: 'race' });
      invoices.findByIdempotencyKey.mockResolvedValueOnce(null);

      const error = await refusal(
        service.create(callerTransaction(), MERCHANT_ID, body({ amount: 99 }), {
          idempotencyKey: 'race',
        }),
      );
      expect(error.code).toBe('idempotency_key_reused');
    });

    it.each([['k'.repeat(201)], [''], [' leading-space'], ['tab\tinside']])(
      'refuses the malformed key %j (400) before writing',
      async (key) => {
        const { service, customers } = newInvoicesService();
        const error = await refusal(
          service.create(callerTransaction(), MERCHANT_ID, body(), { idempotencyKey: key }),
        );
        expect(error.code).toBe('invalid_idempotency_key');
        expect(error.status).toBe(400);
        expect(customers.remember).not.toHaveBeenCalled();
      },
    );
  });

  it('draws a new ref when the random one is taken', async () => {
    const { service, invoices } = newInvoicesService();
    invoices.insert.mockResolvedValueOnce(null);

    const invoice = await service.create(callerTransaction(), MERCHANT_ID, body());

    expect(invoices.insert).toHaveBeenCalledTimes(2);
    const [first, second] = invoices.insert.mock.calls.map(([, draft]) => draft.ref);
    expect(second).not.toBe(first);
    expect(invoice.ref).toBe(second);
  });

  it('gives up after five taken refs instead of looping', async () => {
    const { service, invoices, runner } = newInvoicesService();
    invoices.insert.mockResolvedValue(null);
    await expect(service.create(callerTransaction(), MERCHANT_ID, body())).rejects.toThrow(
      'no free invoice ref after 5 tries',
    );
    expect(invoices.insert).toHaveBeenCalledTimes(5);
    expect(runner.start).not.toHaveBeenCalled();
  });

  describe('amount bounds (whole shillings, 1 to 250,000: what M-PESA takes)', () => {
    it.each([[1], [250_000]])('accepts %d', async (amount) => {
      const { service } = newInvoicesService();
      const invoice = await service.create(callerTransaction(), MERCHANT_ID, body({ amount }));
      expect(invoice.amount).toBe(amount);
    });

    it.each([[0], [-1], [250_001], [1.5], [Number.NaN]])(
      'refuses %d (400) and writes nothing',
      async (amount) => {
        const { service, customers, invoices, runner } = newInvoicesService();
        const error = await refusal(
          service.create(callerTransaction(), MERCHANT_ID, body({ amount })),
        );
        expect(error.code).toBe('validation_failed');
        expect(error.status).toBe(400);
        expect(error.message).toMatch(/amount/);
        expect(customers.remember).not.toHaveBeenCalled();
        expect(invoices.insert).not.toHaveBeenCalled();
        expect(runner.start).not.toHaveBeenCalled();
      },
    );
  });
});
