import { createHash } from 'node:crypto';

export interface CanonicalInvoiceRequest {
  customerPhone: string;
  customerName: string | null;
  amount: number;
  description: string;
  dueDate: string | null;
}

/**
 * sha256 of the request after normalisation (E.164 phone, trimmed text, fixed field order), so
 * a retry that writes the phone as 0712… instead of +254712… still counts as the same request.
 */
export function invoiceRequestHash(request: CanonicalInvoiceRequest): string {
  const canonical = JSON.stringify([
    request.customerPhone,
    request.customerName,
    request.amount,
    request.description,
    request.dueDate,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
