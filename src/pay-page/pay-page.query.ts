import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

export interface LatestPayment {
  id: string;
  status: 'initiating' | 'pending' | 'succeeded' | 'failed' | 'review';
  outcome: string | null;
  amount: number;
  mpesaReceipt: string | null;
}

export interface PaidReceipt {
  amount: number;
  receipt: string | null;
  completedAt: Date;
  phone: string;
}

/**
 * What the pay page shows of an invoice's payments: read-only, and only for the invoice whose
 * pay token the caller already resolved. An amount is what was paid when M-PESA said so,
 * otherwise what was asked.
 */
@Injectable()
export class PayPageQuery {
  async latestPayment(tx: EntityManager, invoiceId: string): Promise<LatestPayment | null> {
    const [row] = await queryRows<{
      id: string;
      status: LatestPayment['status'];
      outcome: string | null;
      amount: number;
      paid_amount: number | null;
      mpesa_receipt: string | null;
    }>(
      tx,
      `SELECT id, status, outcome, amount, paid_amount, mpesa_receipt FROM payments
        WHERE invoice_id = $1 ORDER BY attempt DESC LIMIT 1`,
      [invoiceId],
    );
    if (!row) return null;
    return {
      id: row.id,
      status: row.status,
      outcome: row.outcome,
      amount: Number(row.paid_amount ?? row.amount),
      mpesaReceipt: row.mpesa_receipt,
    };
  }

  async succeededCount(tx: EntityManager, invoiceId: string): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      tx,
      `SELECT count(*) AS n FROM payments WHERE invoice_id = $1 AND status = 'succeeded'`,
      [invoiceId],
    );
    return Number(row?.n ?? 0);
  }

  /** Oldest first. */
  async receipts(tx: EntityManager, invoiceId: string): Promise<PaidReceipt[]> {
    const rows = await queryRows<{
      paid_amount: number | null;
      amount: number;
      mpesa_receipt: string | null;
      completed_at: Date;
      phone: string;
    }>(
      tx,
      `SELECT paid_amount, amount, mpesa_receipt, completed_at, phone FROM payments
        WHERE invoice_id = $1 AND status = 'succeeded' ORDER BY completed_at, attempt`,
      [invoiceId],
    );
    return rows.map((r) => ({
      amount: Number(r.paid_amount ?? r.amount),
      receipt: r.mpesa_receipt,
      completedAt: new Date(r.completed_at),
      phone: r.phone,
    }));
  }
}
