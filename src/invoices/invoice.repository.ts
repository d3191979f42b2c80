import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Locale } from '../config/app-config';
import { queryRows } from '../database/sql';
import type { InvoiceState } from '../machines/invoice.machine';
import type { InvoiceCursor } from './invoice-cursor';
import type {
  CustomerInvoiceView,
  InvoiceBalance,
  InvoiceRecord,
  PayableInvoice,
} from './invoice.record';

interface InvoiceRow {
  id: string;
  ref: string;
  merchant_id: string;
  customer_id: string;
  customer_phone: string;
  customer_name: string | null;
  amount: number;
  amount_paid: number;
  currency: 'KES';
  description: string;
  due_date: string | null;
  pay_token: string;
  state: InvoiceState;
  version: number;
  request_hash: string | null;
  created_at: Date;
  created_at_exact: string;
  sent_at: Date | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
}

/** Columns of `invoices i JOIN customers c`. */
const INVOICE_SELECT = `
  SELECT i.id, i.ref, i.merchant_id, i.customer_id, i.customer_phone, c.name AS customer_name,
         i.amount, i.amount_paid, i.currency, i.description, i.due_date::text AS due_date,
         i.pay_token, i.state, i.version, i.request_hash, i.created_at,
         to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact,
         i.sent_at, i.paid_at, i.cancelled_at
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id`;

function toInvoiceRecord(row: InvoiceRow): InvoiceRecord {
  const amount = Number(row.amount);
  const amountPaid = Number(row.amount_paid);
  return {
    id: row.id,
    ref: row.ref,
    merchantId: row.merchant_id,
    customerId: row.customer_id,
    customerPhone: row.customer_phone,
    customerName: row.customer_name,
    amount,
    amountPaid,
    balance: Math.max(0, amount - amountPaid),
    currency: row.currency,
    description: row.description,
    dueDate: row.due_date,
    payToken: row.pay_token,
    state: row.state,
    version: Number(row.version),
    createdAt: new Date(row.created_at),
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
    paidAt: row.paid_at ? new Date(row.paid_at) : null,
    cancelledAt: row.cancelled_at ? new Date(row.cancelled_at) : null,
  };
}

/** A row to insert; the machine columns start as READY and the runner fills the rest. */
export interface NewInvoice {
  ref: string;
  payToken: string;
  merchantId: string;
  customerId: string;
  customerPhone: string;
  amount: number;
  description: string;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  idempotencyKey: string | null;
  /** Of the canonical request: a replay under the same key must match it. */
  requestHash: string;
  createdAt: Date;
}

/** An invoice created under an Idempotency-Key, with the hash of the request that created it. */
export interface KeyedInvoice {
  invoice: InvoiceRecord;
  requestHash: string | null;
}

export interface InvoiceListFilter {
  state?: InvoiceState;
  /** Rows strictly after this position in (created_at, id) descending order. */
  after?: InvoiceCursor;
  limit: number;
}

/** A listed invoice with its position, to continue the list after it. */
export interface ListedInvoice {
  invoice: InvoiceRecord;
  cursor: InvoiceCursor;
}

interface LockedRow {
  id: string;
  state: InvoiceState;
  amount: number;
  amount_paid: number;
  attempts: string | null;
  max_attempts: string | null;
  pending_payment_id: string | null;
}

/** Only the invoice row is locked (no join): what payments serialise on. */
const LOCK_SELECT = `
  SELECT id, state, amount, amount_paid,
         snapshot->'context'->>'attempts' AS attempts,
         snapshot->'context'->>'maxAttempts' AS max_attempts,
         snapshot->'context'->>'pendingPaymentId' AS pending_payment_id
    FROM invoices`;

function toPayableInvoice(row: LockedRow): PayableInvoice {
  return {
    id: row.id,
    state: row.state,
    amount: Number(row.amount),
    amountPaid: Number(row.amount_paid),
    attempts: row.attempts === null ? null : Number(row.attempts),
    maxAttempts: row.max_attempts === null ? null : Number(row.max_attempts),
    pendingPaymentId: row.pending_payment_id,
  };
}

interface CustomerViewRow {
  id: string;
  ref: string;
  customer_phone: string;
  state: InvoiceState;
  balance: number;
  merchant_name: string;
  locale: Locale;
  pay_token: string;
}

const CUSTOMER_VIEW_SELECT = `
  SELECT i.id, i.ref, i.customer_phone, i.state, i.amount - i.amount_paid AS balance,
         m.display_name AS merchant_name, m.locale, i.pay_token
    FROM invoices i JOIN merchants m ON m.id = i.merchant_id`;

function toCustomerView(row: CustomerViewRow): CustomerInvoiceView {
  return {
    id: row.id,
    ref: row.ref,
    customerPhone: row.customer_phone,
    state: row.state,
    balance: Number(row.balance),
    merchantName: row.merchant_name,
    locale: row.locale,
    payToken: row.pay_token,
  };
}

/** Customer phones of closed invoices past the retention cutoff that are not masked yet. */
const PHONES_TO_MASK = `
  FROM invoices
 WHERE closed_at < $1 AND state IN ('PAID', 'CANCELLED', 'EXPIRED') AND customer_phone NOT LIKE '%*%'`;

/**
 * Every statement on `invoices`. Reads that join customers or merchants answer about invoice
 * rows; the machine columns (snapshot, state, version) are written by the runtime's runner.
 */
@Injectable()
export class InvoiceRepository {
  /** Null when the ref, the pay token or the merchant's Idempotency-Key is already taken. */
  async insert(tx: EntityManager, invoice: NewInvoice): Promise<{ id: string } | null> {
    // DO NOTHING rather than a unique violation: the caller's transaction stays usable, so a
    // ref collision can draw again and a lost idempotency race can answer as the winner's replay.
    const [row] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO invoices (ref, merchant_id, customer_id, customer_phone, amount, description, due_date,
                             pay_token, idempotency_key, request_hash, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, 'READY', $11, $11)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        invoice.ref,
        invoice.merchantId,
        invoice.customerId,
        invoice.customerPhone,
        invoice.amount,
        invoice.description,
        invoice.dueDate,
        invoice.payToken,
        invoice.idempotencyKey,
        invoice.requestHash,
        invoice.createdAt,
      ],
    );
    return row ?? null;
  }

  findById(tx: EntityManager, id: string): Promise<InvoiceRecord | null> {
    return this.one(tx, 'i.id = $1', [id]);
  }

  /** Scoped by merchant in the query itself: another merchant's ref is simply not found. */
  findByMerchantRef(
    tx: EntityManager,
    merchantId: string,
    ref: string,
  ): Promise<InvoiceRecord | null> {
    return this.one(tx, 'i.merchant_id = $1 AND i.ref = $2', [merchantId, ref]);
  }

  findByPayToken(tx: EntityManager, token: string): Promise<InvoiceRecord | null> {
    return this.one(tx, 'i.pay_token = $1', [token]);
  }

  async findByIdempotencyKey(
    tx: EntityManager,
    merchantId: string,
    key: string,
  ): Promise<KeyedInvoice | null> {
    const [row] = await queryRows<InvoiceRow>(
      tx,
      `${INVOICE_SELECT} WHERE i.merchant_id = $1 AND i.idempotency_key = $2`,
      [merchantId, key],
    );
    return row ? { invoice: toInvoiceRecord(row), requestHash: row.request_hash } : null;
  }

  /** Newest first. */
  async listByMerchant(
    tx: EntityManager,
    merchantId: string,
    filter: InvoiceListFilter,
  ): Promise<ListedInvoice[]> {
    const params: unknown[] = [merchantId];
    const conditions = ['i.merchant_id = $1'];
    if (filter.state) {
      params.push(filter.state);
      conditions.push(`i.state = $${params.length}`);
    }
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      conditions.push(
        `(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit);
    const rows = await queryRows<InvoiceRow>(
      tx,
      `${INVOICE_SELECT}
        WHERE ${conditions.join(' AND ')}
        ORDER BY i.created_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({
      invoice: toInvoiceRecord(row),
      cursor: { createdAt: row.created_at_exact, id: row.id },
    }));
  }

  /** Neither paid nor cancelled, newest first. */
  async listOpenByMerchant(
    tx: EntityManager,
    merchantId: string,
    limit: number,
  ): Promise<InvoiceRecord[]> {
    const rows = await queryRows<InvoiceRow>(
      tx,
      `${INVOICE_SELECT}
        WHERE i.merchant_id = $1 AND i.state NOT IN ('PAID', 'CANCELLED')
        ORDER BY i.created_at DESC, i.id DESC LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map(toInvoiceRecord);
  }

  /** The invoice this number most recently received, open ones (not paid, not cancelled) first. */
  async latestForCustomer(tx: EntityManager, phone: string): Promise<CustomerInvoiceView | null> {
    const [row] = await queryRows<CustomerViewRow>(
      tx,
      `${CUSTOMER_VIEW_SELECT}
        WHERE i.customer_phone = $1
        ORDER BY (i.state IN ('PAID', 'CANCELLED')), i.created_at DESC LIMIT 1`,
      [phone],
    );
    return row ? toCustomerView(row) : null;
  }

  /** Not tenant-scoped: the caller checks the number it came from. */
  async findCustomerViewByRef(tx: EntityManager, ref: string): Promise<CustomerInvoiceView | null> {
    const [row] = await queryRows<CustomerViewRow>(tx, `${CUSTOMER_VIEW_SELECT} WHERE i.ref = $1`, [
      ref,
    ]);
    return row ? toCustomerView(row) : null;
  }

  /** SELECT … FOR UPDATE by ref, with the machine's attempt counters. */
  async lockByRef(tx: EntityManager, ref: string): Promise<PayableInvoice | null> {
    const [row] = await queryRows<LockedRow>(tx, `${LOCK_SELECT} WHERE ref = $1 FOR UPDATE`, [ref]);
    return row ? toPayableInvoice(row) : null;
  }

  /** SELECT … FOR UPDATE by id. */
  async lockById(tx: EntityManager, id: string): Promise<InvoiceBalance | null> {
    const [row] = await queryRows<LockedRow>(tx, `${LOCK_SELECT} WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toPayableInvoice(row) : null;
  }

  async countPhonesToMask(tx: EntityManager, closedBefore: Date): Promise<number> {
    const [row] = await queryRows<{ n: string }>(tx, `SELECT count(*) AS n ${PHONES_TO_MASK}`, [
      closedBefore,
    ]);
    return Number(row?.n ?? 0);
  }

  /** Masks at most `limit` of them (+2547****678 keeps country, network and last digits); how many. */
  async maskPhones(tx: EntityManager, closedBefore: Date, limit: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `UPDATE invoices
          SET customer_phone = substr(customer_phone, 1, 5) || '****' || right(customer_phone, 3)
        WHERE id IN (SELECT id ${PHONES_TO_MASK} LIMIT $2)
        RETURNING id`,
      [closedBefore, limit],
    );
    return rows.length;
  }

  private async one(
    tx: EntityManager,
    condition: string,
    params: unknown[],
  ): Promise<InvoiceRecord | null> {
    const [row] = await queryRows<InvoiceRow>(tx, `${INVOICE_SELECT} WHERE ${condition}`, params);
    return row ? toInvoiceRecord(row) : null;
  }
}
