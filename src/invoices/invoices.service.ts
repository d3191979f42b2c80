import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError, NotFoundError } from '../common/http/domain-error';
import { isValidAmount } from '../common/money';
import { parseKenyanMobile } from '../common/phone';
import { isUuid } from '../common/text/uuid';
import {
  INVOICE_MACHINE_KIND,
  type InvoiceInput,
  type InvoiceState,
} from '../machines/invoice.machine';
import { CustomersService } from '../merchants/customers.service';
import { MerchantsService } from '../merchants/merchants.service';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import type { InvoicePage, InvoiceResponse } from './dto/invoice.response';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './dto/list-invoices.query';
import { decodeCursor, encodeCursor } from './invoice-cursor';
import { type CanonicalInvoiceRequest, invoiceRequestHash } from './invoice-request-hash';
import { generateInvoiceRef, generatePayToken, REF_PATTERN } from './invoice-tokens';
import type {
  CustomerInvoiceView,
  InvoiceBalance,
  InvoiceRecord,
  PayableInvoice,
} from './invoice.record';
import { InvoiceRepository, type KeyedInvoice } from './invoice.repository';
import { expiryTime, reminderPlan, reminderSettingsFrom } from './reminder-plan';

export interface CreateInvoiceInput {
  customerPhone: string;
  customerName?: string;
  amount: number;
  description: string;
  dueDate?: string;
}

export interface CreateInvoiceOptions {
  /** Same key + same request → the same invoice; same key + another request → 422. */
  idempotencyKey?: string;
  /** Recorded in the machine's audit trail, e.g. "api" or "whatsapp". */
  source?: string;
}

export interface ListInvoicesOptions {
  status?: InvoiceState;
  cursor?: string;
  limit?: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;
const REF_TRIES = 5;
const NAIROBI_OFFSET_MS = 3 * 60 * 60 * 1000;
const PAY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const badRequest = (code: string, message: string) =>
  new DomainError(code, message, HttpStatus.BAD_REQUEST);

/**
 * Creating and reading invoices. Writes (and row locks) join the caller's transaction; reads
 * take it when the caller has one and otherwise run on their own connection. Every
 * merchant-facing read filters by merchant id in the query itself, so another merchant's ref is
 * indistinguishable from one that does not exist.
 */
@Injectable()
export class InvoicesService {
  private readonly logger = new Logger(InvoicesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
    private readonly customers: CustomersService,
    private readonly merchants: MerchantsService,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Saves the customer, inserts the invoice and starts its machine, all in `tx`: the caller
   * commits (and the machine's first effects go out) or none of it happened.
   */
  async create(
    tx: EntityManager,
    merchantId: string,
    input: CreateInvoiceInput,
    options: CreateInvoiceOptions = {},
  ): Promise<InvoiceRecord> {
    const request = this.canonical(input);
    const idempotencyKey = this.idempotencyKey(options.idempotencyKey);
    const requestHash = invoiceRequestHash(request);
    if (idempotencyKey) {
      const earlier = await this.invoices.findByIdempotencyKey(tx, merchantId, idempotencyKey);
      if (earlier) return this.replay(earlier, requestHash);
    }
    const now = this.clock.now();
    const customerId = await this.customers.remember(
      tx,
      merchantId,
      { phone: request.customerPhone, name: request.customerName },
      now,
    );
    for (let attempt = 0; attempt < REF_TRIES; attempt++) {
      const ref = generateInvoiceRef();
      const inserted = await this.invoices.insert(tx, {
        ref,
        payToken: generatePayToken(),
        merchantId,
        customerId,
        customerPhone: request.customerPhone,
        amount: request.amount,
        description: request.description,
        dueDate: request.dueDate,
        idempotencyKey,
        requestHash,
        createdAt: now,
      });
      if (inserted) {
        return this.start(tx, { id: inserted.id, ref, merchantId }, request, now, options.source);
      }
      // A concurrent request with the same key committed first (the insert waited for it, and
      // under READ COMMITTED this read sees it): answer as its replay. Otherwise the random ref
      // (or token) was taken: draw again.
      if (idempotencyKey) {
        const winner = await this.invoices.findByIdempotencyKey(tx, merchantId, idempotencyKey);
        if (winner) return this.replay(winner, requestHash);
      }
    }
    throw new Error(`no free invoice ref after ${REF_TRIES} tries`);
  }

  /** The merchant's invoice with this ref, or null (also for another merchant's ref). */
  async findByRef(
    merchantId: string,
    ref: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<InvoiceRecord | null> {
    const normalised = ref.trim().toUpperCase();
    if (!REF_PATTERN.test(normalised) || !isUuid(merchantId)) return null;
    return this.invoices.findByMerchantRef(tx, merchantId, normalised);
  }

  /** Not tenant-scoped: for internal callers (outbox handlers, payments) that hold an id. */
  async findById(
    id: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<InvoiceRecord | null> {
    if (!isUuid(id)) return null;
    return this.invoices.findById(tx, id);
  }

  /** For the customer's pay page: the token is the capability. */
  async findByPayToken(
    token: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<InvoiceRecord | null> {
    if (!PAY_TOKEN_PATTERN.test(token)) return null;
    return this.invoices.findByPayToken(tx, token);
  }

  async getByRef(merchantId: string, ref: string): Promise<InvoiceRecord> {
    const invoice = await this.findByRef(merchantId, ref);
    if (!invoice) throw new NotFoundError('Invoice');
    return invoice;
  }

  async list(merchantId: string, options: ListInvoicesOptions = {}): Promise<InvoicePage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw badRequest('validation_failed', 'limit must be a whole number from 1 to 100');
    }
    // One more than the page: whether it exists decides nextCursor.
    const rows = await this.invoices.listByMerchant(this.dataSource.manager, merchantId, {
      state: options.status,
      after: options.cursor ? decodeCursor(options.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.toResponse(row.invoice)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.cursor) : null,
    };
  }

  /** The merchant's invoices that are neither paid nor cancelled, newest first. */
  listOpen(
    merchantId: string,
    limit: number,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<InvoiceRecord[]> {
    return this.invoices.listOpenByMerchant(tx, merchantId, limit);
  }

  /** The invoice a customer's message is about: the newest one to this number, open ones first. */
  latestForCustomer(
    phone: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<CustomerInvoiceView | null> {
    return this.invoices.latestForCustomer(tx, phone);
  }

  /** By ref, from any merchant: the caller checks that the number asking is the invoice's own. */
  findForCustomerByRef(
    ref: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<CustomerInvoiceView | null> {
    return this.invoices.findCustomerViewByRef(tx, ref);
  }

  /** Locks the invoice row (by ref) for a payment initiation; null when no invoice has the ref. */
  lockForPayment(tx: EntityManager, ref: string): Promise<PayableInvoice | null> {
    return this.invoices.lockByRef(tx, ref);
  }

  /** Locks the invoice row (by id) to settle a payment against what it still owes. */
  lockBalance(tx: EntityManager, id: string): Promise<InvoiceBalance | null> {
    return this.invoices.lockById(tx, id);
  }

  /** Retention: closed invoices older than the cutoff whose customer phone is still whole. */
  countPhonesToMask(tx: EntityManager, closedBefore: Date): Promise<number> {
    return this.invoices.countPhonesToMask(tx, closedBefore);
  }

  /** Retention: masks at most `limit` of those phones; how many it masked. */
  maskPhones(tx: EntityManager, closedBefore: Date, limit: number): Promise<number> {
    return this.invoices.maskPhones(tx, closedBefore, limit);
  }

  /** What the merchant API returns for an invoice. */
  toResponse(invoice: InvoiceRecord): InvoiceResponse {
    return {
      id: invoice.id,
      ref: invoice.ref,
      status: invoice.state,
      amount: invoice.amount,
      amountPaid: invoice.amountPaid,
      balance: invoice.balance,
      currency: invoice.currency,
      description: invoice.description,
      customerPhone: invoice.customerPhone,
      customerName: invoice.customerName,
      dueDate: invoice.dueDate,
      payUrl: this.payUrl(invoice),
      createdAt: invoice.createdAt.toISOString(),
    };
  }

  payUrl(invoice: Pick<InvoiceRecord, 'payToken'>): string {
    return `${this.config.publicBaseUrl}/pay/${invoice.payToken}`;
  }

  private async start(
    tx: EntityManager,
    inserted: { id: string; ref: string; merchantId: string },
    request: CanonicalInvoiceRequest,
    now: Date,
    source = 'api',
  ): Promise<InvoiceRecord> {
    const stored = await this.merchants.reminderSettings(tx, inserted.merchantId);
    const input: InvoiceInput = {
      invoiceId: inserted.id,
      ref: inserted.ref,
      amount: request.amount,
      reminders: reminderPlan({
        dueDate: request.dueDate,
        createdAt: now,
        settings: reminderSettingsFrom(stored),
      }),
      expireAt: expiryTime(request.dueDate, this.config.invoiceExpiryGraceDays),
    };
    await this.runner.start(INVOICE_MACHINE_KIND, inserted.id, { ...input }, tx, source);
    // Read after the start: it moved the row's state and version.
    const invoice = await this.invoices.findById(tx, inserted.id);
    if (!invoice) throw new Error('invoice vanished inside its own transaction');
    this.logger.log(`invoice ${invoice.ref} created (${invoice.amount} KES)`);
    return invoice;
  }

  private replay(earlier: KeyedInvoice, requestHash: string): InvoiceRecord {
    if (earlier.requestHash !== requestHash) {
      throw new DomainError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new invoice.',
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return earlier.invoice;
  }

  /** Re-checks what the DTO checked (the bot calls this too) and normalises for hashing. */
  private canonical(input: CreateInvoiceInput): CanonicalInvoiceRequest {
    const phone = parseKenyanMobile(String(input.customerPhone ?? ''));
    if (!phone.ok) {
      throw badRequest(
        'validation_failed',
        'customerPhone must be a Kenyan mobile number such as 0712345678',
      );
    }
    if (!isValidAmount(input.amount)) {
      throw badRequest(
        'validation_failed',
        'amount must be a whole number of Kenyan shillings from 1 to 250,000',
      );
    }
    const description = input.description.trim();
    if (description.length < 3 || description.length > 120) {
      throw badRequest('validation_failed', 'description must be 3 to 120 characters');
    }
    const customerName = input.customerName?.trim() || null;
    if (customerName && customerName.length > 100) {
      throw badRequest('validation_failed', 'customerName must be 1 to 100 characters');
    }
    const dueDate = input.dueDate ?? null;
    if (dueDate !== null) this.checkDueDate(dueDate);
    return { customerPhone: phone.phone, customerName, amount: input.amount, description, dueDate };
  }

  private checkDueDate(dueDate: string): void {
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(dueDate) ? new Date(`${dueDate}T00:00:00Z`) : null;
    if (
      !parsed ||
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== dueDate
    ) {
      throw badRequest('validation_failed', 'dueDate must be a date like 2026-12-31 (YYYY-MM-DD)');
    }
    // Merchants think in Nairobi days (UTC+3, no daylight saving).
    const today = new Date(this.clock.now().getTime() + NAIROBI_OFFSET_MS)
      .toISOString()
      .slice(0, 10);
    if (dueDate < today) {
      throw badRequest('validation_failed', `dueDate must be today (${today}) or later`);
    }
  }

  private idempotencyKey(raw: string | undefined): string | null {
    if (raw === undefined) return null;
    if (!IDEMPOTENCY_KEY.test(raw)) {
      throw badRequest(
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 200 printable ASCII characters, e.g. a UUID',
      );
    }
    return raw;
  }
}
