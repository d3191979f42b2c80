import type { Locale } from '../../../config/app-config';
import type { MessageContent } from '../../../common/messaging/channel.port';

/** What the renderers know about an invoice and the two people around it. Loaded once, pure after. */
export interface InvoiceNoticeView {
  locale: Locale;
  merchantName: string;
  /** E.164. */
  merchantPhone: string;
  merchantWindowOpen: boolean;
  ref: string;
  amount: number;
  amountPaid: number;
  balance: number;
  description: string;
  customerName: string | null;
  /** E.164. */
  customerPhone: string;
  customerWindowOpen: boolean;
  payUrl: string;
}

export interface PaymentView {
  /** What M-PESA reported paid (or the amount asked). */
  amount: number;
  receipt: string | null;
  outcome: string | null;
}

/** A message ready for DeliveryService.enqueue. */
export interface RenderedMessage {
  to: string;
  /** 'auto' where WhatsApp can carry it; 'sms' where it surely cannot (closed window, no template). */
  channel: 'auto' | 'whatsapp' | 'sms';
  purpose: string;
  content: MessageContent;
  smsText: string;
}

export const payButtonId = (ref: string): string => `pay:${ref}`;
