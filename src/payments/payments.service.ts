import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { maskPhone } from '../common/logging/redact';
import { MAX_AMOUNT } from '../common/money';
import { parseKenyanMobile } from '../common/phone';
import { queryRows } from '../database/sql';
import {
  DEFAULT_MAX_PAYMENT_ATTEMPTS,
  INVOICE_MACHINE_KIND,
  type InvoiceState,
} from '../machines/invoice.machine';
import { pgError, UNIQUE_VIOLATION, UUID_PATTERN } from '../merchants/pg-error';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import { RuntimeSignals } from '../runtime/runtime-signals';
import type {
  InitiatePaymentRequest,
  InitiatePaymentResult,
  PaymentInitiator,
} from './payment-initiation.port';
import { PAYMENT_COLUMNS, type PaymentRow } from './payment.record';
import type { PaymentStatus } from './payment.entity';

export interface PaymentView {
  id: string;
  invoiceRef: string;
  attempt: number;
  status: PaymentStatus;
  amount: number;
  outcome: string | null;
  resultCode: number | null;
  checkoutRequestId: string | null;
  mpesaReceipt: string | null;
}

type Refusal = Extract<InitiatePaymentResult, { status: 'refused' }>;

/** Thrown inside the transaction to roll it back and answer with a refusal. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

interface LockedInvoice {
  id: string;
  state: InvoiceState;
  amount: number;
  amount_paid: number;
  attempts: string | null;
  max_attempts: string | null;
  pending_payment_id: string | null;
}

/**
 * Starts M-PESA payments. The invoice row lock serialises initiations of one invoice, and the
 * partial unique index payments_one_open_per_invoice backs it up: ten concurrent callers get one
 * push and nine refusals naming it.
 */
@Injectable()
export class PaymentsService implements PaymentInitiator {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: RuntimeSignals,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  async initiate(request: InitiatePaymentRequest): Promise<InitiatePaymentResult> {
    const phone = parseKenyanMobile(request.phone);
    if (!phone.ok) throw new Error('initiate() needs a valid Kenyan mobile; validate it first');
    try {
      return await this.signals.transaction((manager) =>
        this.initiateIn(manager, { ...request, phone: phone.phone }),
      );
    } catch (error) {
      if (error instanceof Refused) return error.refusal;
      if (pgError(error).code === UNIQUE_VIOLATION) {
        // Lost a race the row lock should have prevented (e.g. another writer without it).
        const open = await this.openPaymentFor(request.invoiceRef);
        return {
          status: 'refused',
          reason: 'pending',
          ...(open ? { pendingPaymentId: open } : {}),
        };
      }
      throw error;
    }
  }

  async findById(id: string): Promise<PaymentRow | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await queryRows<PaymentRow>(
      this.dataSource,
      `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A payment on one of this merchant's invoices, in its public shape. */
  async findForMerchant(merchantId: string, id: string): Promise<PaymentView | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await queryRows<PaymentRow & { ref: string }>(
      this.dataSource,
      `SELECT ${PAYMENT_COLUMNS}, i.ref FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE p.id = $1 AND i.merchant_id = $2`,
      [id, merchantId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      invoiceRef: row.ref,
      attempt: Number(row.attempt),
      status: row.status,
      amount: Number(row.amount),
      outcome: row.outcome,
      resultCode: row.result_code === null ? null : Number(row.result_code),
      checkoutRequestId: row.checkout_request_id,
      mpesaReceipt: row.mpesa_receipt,
    };
  }

  private async initiateIn(
    manager: EntityManager,
    request: InitiatePaymentRequest,
  ): Promise<InitiatePaymentResult> {
    const refuse = (reason: Refusal['reason'], pendingPaymentId?: string): never => {
      throw new Refused({
        status: 'refused',
        reason,
        ...(pendingPaymentId ? { pendingPaymentId } : {}),
      });
    };
    const [invoice] = await queryRows<LockedInvoice>(
      manager,
      `SELECT id, state, amount, amount_paid,
              snapshot->'context'->>'attempts' AS attempts,
              snapshot->'context'->>'maxAttempts' AS max_attempts,
              snapshot->'context'->>'pendingPaymentId' AS pending_payment_id
         FROM invoices WHERE ref = $1 FOR UPDATE`,
      [request.invoiceRef],
    );
    if (!invoice) return refuse('not_found');
    if (invoice.state === 'PAID') return refuse('paid');
    if (invoice.state === 'CANCELLED') return refuse('cancelled');
    if (invoice.state === 'EXPIRED') return refuse('expired');
    const [open] = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM payments WHERE invoice_id = $1 AND status IN ('initiating', 'pending')`,
      [invoice.id],
    );
    if (open) return refuse('pending', open.id);
    // Also a payment held for review (amount mismatch): the invoice waits for a person.
    if (invoice.state === 'PAYMENT_INIT') {
      return refuse('pending', invoice.pending_payment_id ?? undefined);
    }

    const attempts = Number(invoice.attempts ?? 0);
    const maxAttempts = Number(invoice.max_attempts ?? DEFAULT_MAX_PAYMENT_ATTEMPTS);
    if (attempts >= maxAttempts) return refuse('attempts_exhausted');
    const balance = Math.max(0, Number(invoice.amount) - Number(invoice.amount_paid));
    const amount = request.amount ?? Math.min(balance, MAX_AMOUNT);
    if (!Number.isInteger(amount) || amount < 1 || amount > balance || amount > MAX_AMOUNT) {
      return refuse('amount_invalid');
    }

    const now = this.clock.now();
    const [payment] = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO payments (invoice_id, attempt, phone, amount, status, initiated_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'initiating', $5, $5, $5) RETURNING id`,
      [invoice.id, attempts + 1, request.phone, amount, now],
    );
    const sent = await this.runner.send(
      INVOICE_MACHINE_KIND,
      invoice.id,
      { type: 'PAYMENT_REQUESTED', paymentId: payment.id, amount, phone: request.phone },
      { manager, source: request.source },
    );
    if (!sent.accepted) {
      // The machine is the authority; the checks above only explain the usual refusals.
      const state = 'state' in sent ? sent.state : invoice.state;
      return refuse(state === 'PAYMENT_INIT' ? 'pending' : 'attempts_exhausted');
    }
    this.logger.log(
      {
        paymentId: payment.id,
        invoiceId: invoice.id,
        amount,
        phone: maskPhone(request.phone),
        attempt: attempts + 1,
        source: request.source,
      },
      'payment initiated',
    );
    return { status: 'started', paymentId: payment.id, amount };
  }

  private async openPaymentFor(invoiceRef: string): Promise<string | undefined> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT p.id FROM payments p JOIN invoices i ON i.id = p.invoice_id
        WHERE i.ref = $1 AND p.status IN ('initiating', 'pending')`,
      [invoiceRef],
    );
    return rows[0]?.id;
  }
}
