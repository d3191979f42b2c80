import { expiryTime, reminderPlan, reminderSettingsFrom } from './reminder-plan';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError, NotFoundError } from '../common/http/domain-error';
import { isValidAmount } from '../common/money';
import { parseKenyanMobile } from '../common/phone';
import { queryRows } from '../database/sql';
import {
  INVOICE_MACHINE_KIND,
  type InvoiceInput,
  type InvoiceState,
} from '../machines/invoice.machine';
import { pgError, UNIQUE_VIOLATION, UUID_PATTERN } from '../merchants/pg-error';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { RuntimeSignals } from '../runtime/runtime-signals';
import type { InvoicePage, InvoiceResponse } from './dto/invoice.response';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './dto/list-invoices.query';
import { decodeCursor, encodeCursor } from './invoice-cursor';
import { type CanonicalInvoiceRequest, invoiceRequestHash } from './invoice-request-hash';
import { generateInvoiceRef, generatePayToken, REF_PATTERN } from './invoice-tokens';
import {
  INVOICE_SELECT,
  type InvoiceRecord,
  type InvoiceRow,
  toInvoiceRecord,
} from './invoice.record';

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

const IDEMPOTENCY_CONSTRAINT = 'invoices_merchant_idempotency_key';
const REF_CONSTRAINT = 'invoices_ref_key';
const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;
const REF_TRIES = 5;
const NAIROBI_OFFSET_MS = 3 * 60 * 60 * 1000;

const badRequest = (code: string, message: string) =>
  new DomainError(code, message, HttpStatus.BAD_REQUEST);

/**
 * Creating and reading invoices. Every merchant-facing read filters by merchant id in the
 * query itself, so another merchant's ref is indistinguishable from one that does not exist.
 */
@Injectable()
export class InvoicesService {
  private readonly logger = new Logger(InvoicesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: RuntimeSignals,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async create(
    merchantId: string,
    input: CreateInvoiceInput,
    options: CreateInvoiceOptions = {},
  ): Promise<InvoiceRecord> {
    const request = this.canonical(input);
    const idempotencyKey = this.idempotencyKey(options.idempotencyKey);
    const requestHash = invoiceRequestHash(request);
    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(merchantId, idempotencyKey);
      if (existing) return this.replay(existing, requestHash);
    }
    try {
      return await this.signals.transaction((manager) =>
        this.insert(manager, merchantId, request, {
          idempotencyKey,
          requestHash,
          source: options.source ?? 'api',
        }),
      );
    } catch (error) {
      const { code, constraint } = pgError(error);
      // A concurrent request with the same key won the race: answer as its replay.
      if (idempotencyKey && code === UNIQUE_VIOLATION && constraint === IDEMPOTENCY_CONSTRAINT) {
        const existing = await this.findByIdempotencyKey(merchantId, idempotencyKey);
        if (existing) return this.replay(existing, requestHash);
      }
      throw error;
    }
  }

  /** The merchant's invoice with this ref, or null (also for another merchant's ref). */
  async findByRef(merchantId: string, ref: string): Promise<InvoiceRecord | null> {
    const normalised = ref.trim().toUpperCase();
    if (!REF_PATTERN.test(normalised) || !UUID_PATTERN.test(merchantId)) return null;
    return this.one(`${INVOICE_SELECT} WHERE i.merchant_id = $1 AND i.ref = $2`, [
      merchantId,
      normalised,
    ]);
  }

  /** Not tenant-scoped: for internal callers (outbox handlers, payments) that hold an id. */
  async findById(id: string, manager?: EntityManager): Promise<InvoiceRecord | null> {
    if (!UUID_PATTERN.test(id)) return null;
    return this.one(`${INVOICE_SELECT} WHERE i.id = $1`, [id], manager);
  }

  /** For the customer's pay page: the token is the capability. */
  async findByPayToken(token: string): Promise<InvoiceRecord | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    return this.one(`${INVOICE_SELECT} WHERE i.pay_token = $1`, [token]);
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
    const params: unknown[] = [merchantId];
    const conditions = ['i.merchant_id = $1'];
    if (options.status) {
      params.push(options.status);
      conditions.push(`i.state = $${params.length}`);
    }
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      params.push(cursor.createdAt, cursor.id);
      conditions.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await queryRows<InvoiceRow>(
      this.dataSource,
      `${INVOICE_SELECT}
        WHERE ${conditions.join(' AND ')}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.toResponse(toInvoiceRecord(row))),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.created_at_exact, id: last.id })
          : null,
    };
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

  private async insert(
    manager: EntityManager,
    merchantId: string,
    request: CanonicalInvoiceRequest,
    meta: { idempotencyKey: string | null; requestHash: string; source: string },
  ): Promise<InvoiceRecord> {
    const now = this.clock.now();
    const [customer] = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO customers (merchant_id, phone, name, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (merchant_id, phone)
       DO UPDATE SET name = COALESCE(customers.name, EXCLUDED.name), updated_at = EXCLUDED.updated_at
       RETURNING id`,
      [merchantId, request.customerPhone, request.customerName, now],
    );
    let inserted: { id: string; ref: string } | undefined;
    for (let attempt = 0; attempt < REF_TRIES && !inserted; attempt++) {
      // ON CONFLICT (ref) keeps the transaction usable after a ref collision; an idempotency-key
      // collision still raises, which is what create() wants.
      [inserted] = await queryRows<{ id: string; ref: string }>(
        manager,
        `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, due_date,
                               pay_token, idempotency_key, request_hash, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, 'READY', $11, $11)
         ON CONFLICT (ref) DO NOTHING
         RETURNING id, ref`,
        [
          generateInvoiceRef(),
          merchantId,
          customer.id,
          request.customerPhone,
          request.amount,
          request.description,
          request.dueDate,
          generatePayToken(),
          meta.idempotencyKey,
          meta.requestHash,
          now,
        ],
      );
    }
    if (!inserted)
      throw new Error(`no free invoice ref after ${REF_TRIES} tries (${REF_CONSTRAINT})`);
    const [merchant] = await queryRows<{ reminder_settings: unknown }>(
      manager,
      `SELECT reminder_settings FROM merchants WHERE id = $1`,
      [merchantId],
    );
    const input: InvoiceInput = {
      invoiceId: inserted.id,
      ref: inserted.ref,
      amount: request.amount,
      reminders: reminderPlan({
        dueDate: request.dueDate,
        createdAt: now,
        settings: reminderSettingsFrom(merchant?.reminder_settings),
      }),
      expireAt: expiryTime(request.dueDate, this.config.invoiceExpiryGraceDays),
    };
    await this.runner.start(INVOICE_MACHINE_KIND, inserted.id, { ...input }, manager, meta.source);
    const invoice = await this.findById(inserted.id, manager);
    if (!invoice) throw new Error('invoice vanished inside its own transaction');
    this.logger.log(`invoice ${invoice.ref} created (${invoice.amount} KES)`);
    return invoice;
  }

  private replay(existing: InvoiceRow, requestHash: string): InvoiceRecord {
    if (existing.request_hash !== requestHash) {
      throw new DomainError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new invoice.',
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return toInvoiceRecord(existing);
  }

  private async findByIdempotencyKey(merchantId: string, key: string): Promise<InvoiceRow | null> {
    const rows = await queryRows<InvoiceRow>(
      this.dataSource,
      `${INVOICE_SELECT} WHERE i.merchant_id = $1 AND i.idempotency_key = $2`,
      [merchantId, key],
    );
    return rows[0] ?? null;
  }

  private async one(
    sql: string,
    params: unknown[],
    manager?: EntityManager,
  ): Promise<InvoiceRecord | null> {
    const rows = await queryRows<InvoiceRow>(manager ?? this.dataSource, sql, params);
    return rows[0] ? toInvoiceRecord(rows[0]) : null;
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
