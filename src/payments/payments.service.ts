import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { maskPhone } from '../common/logging/redact';
import { MAX_AMOUNT } from '../common/money';
import { parseKenyanMobile } from '../common/phone';
import { isUuid } from '../common/text/uuid';
import { InvoicesService } from '../invoices/invoices.service';
import { DEFAULT_MAX_PAYMENT_ATTEMPTS, INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import { pgError, UNIQUE_VIOLATION } from '../merchants/pg-error';
import { Clock } from '../runtime/clock';
import { MachineRunner } from '../runtime/machine-runner';
import type {
  InitiatePaymentRequest,
  InitiatePaymentResult,
  PaymentInitiator,
} from './payment-initiation.port';
import type { PaymentRow, PaymentView } from './payment.record';
import { PaymentRepository } from './payment.repository';

type Refusal = Extract<InitiatePaymentResult, { status: 'refused' }>;

/** Thrown inside the savepoint to roll it back and answer with a refusal. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
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
    private readonly payments: PaymentRepository,
    private readonly invoices: InvoicesService,
    private readonly runner: MachineRunner,
    private readonly clock: Clock,
  ) {}

  /**
   * In the caller's transaction, inside a savepoint: a refusal takes back whatever the attempt
   * wrote, and a lost race leaves the caller's transaction usable.
   */
  async initiate(
    tx: EntityManager,
    request: InitiatePaymentRequest,
  ): Promise<InitiatePaymentResult> {
    const phone = parseKenyanMobile(request.phone);
    if (!phone.ok) throw new Error('initiate() needs a valid Kenyan mobile; validate it first');
    try {
      return await tx.transaction((savepoint) =>
        this.initiateIn(savepoint, { ...request, phone: phone.phone }),
      );
    } catch (error) {
      if (error instanceof Refused) return error.refusal;
      if (pgError(error).code === UNIQUE_VIOLATION) {
        // Lost a race the row lock should have prevented (e.g. another writer without it).
        const open = await this.payments.findOpenIdForInvoiceRef(tx, request.invoiceRef);
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
    if (!isUuid(id)) return null;
    return this.payments.findById(this.dataSource.manager, id);
  }

  /** A payment on one of this merchant's invoices, in its public shape. */
  async findForMerchant(merchantId: string, id: string): Promise<PaymentView | null> {
    if (!isUuid(id)) return null;
    return this.payments.findViewForMerchant(this.dataSource.manager, merchantId, id);
  }

  private async initiateIn(
    tx: EntityManager,
    request: InitiatePaymentRequest,
  ): Promise<InitiatePaymentResult> {
    const refuse = (reason: Refusal['reason'], pendingPaymentId?: string): never => {
      throw new Refused({
        status: 'refused',
        reason,
        ...(pendingPaymentId ? { pendingPaymentId } : {}),
      });
    };
    const invoice = await this.invoices.lockForPayment(tx, request.invoiceRef);
    if (!invoice) return refuse('not_found');
    if (invoice.state === 'PAID') return refuse('paid');
    if (invoice.state === 'CANCELLED') return refuse('cancelled');
    if (invoice.state === 'EXPIRED') return refuse('expired');
    const open = await this.payments.findOpenIdForInvoice(tx, invoice.id);
    if (open) return refuse('pending', open);
    // Also a payment held for review (amount mismatch): the invoice waits for a person.
    if (invoice.state === 'PAYMENT_INIT') {
      return refuse('pending', invoice.pendingPaymentId ?? undefined);
    }

    const attempts = invoice.attempts ?? 0;
    const maxAttempts = invoice.maxAttempts ?? DEFAULT_MAX_PAYMENT_ATTEMPTS;
    if (attempts >= maxAttempts) return refuse('attempts_exhausted');
    const balance = Math.max(0, invoice.amount - invoice.amountPaid);
    const amount = request.amount ?? Math.min(balance, MAX_AMOUNT);
    if (!Number.isInteger(amount) || amount < 1 || amount > balance || amount > MAX_AMOUNT) {
      return refuse('amount_invalid');
    }

    const paymentId = await this.payments.insertInitiating(tx, {
      invoiceId: invoice.id,
      attempt: attempts + 1,
      phone: request.phone,
      amount,
      at: this.clock.now(),
    });
    const sent = await this.runner.send(
      INVOICE_MACHINE_KIND,
      invoice.id,
      { type: 'PAYMENT_REQUESTED', paymentId, amount, phone: request.phone },
      { manager: tx, source: request.source },
    );
    if (!sent.accepted) {
      // The machine is the authority; the checks above only explain the usual refusals.
      const state = 'state' in sent ? sent.state : invoice.state;
      return refuse(state === 'PAYMENT_INIT' ? 'pending' : 'attempts_exhausted');
    }
    this.logger.log(
      {
        paymentId,
        invoiceId: invoice.id,
        amount,
        phone: maskPhone(request.phone),
        attempt: attempts + 1,
        source: request.source,
      },
      'payment initiated',
    );
    return { status: 'started', paymentId, amount };
  }
}
