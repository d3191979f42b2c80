import type { SayValue } from '../common/messaging/reply';
import { invoiceCreatedReply as createdReply } from '../machines/conversation-replies';
import { type BotReply, said } from './bot-reply';

export {
  type CustomerChoice,
  type Draft,
  EMPTY_DRAFT,
  FLOW_BUTTONS,
  type FlowAt,
  type FlowStep,
  nextStep,
} from '../machines/conversation-flow';

/** An invoice the bot created, for its summary. */
export interface CreatedInvoice {
  ref: string;
  /** A label as it should read, or `{ customer: { name, phone } }` to format. */
  customer: SayValue;
  amount: number;
  description: string;
}

/** The summary after an invoice is created, with Remind / Cancel (keywords on SMS). */
export function invoiceCreatedReply(invoice: CreatedInvoice): BotReply {
  return said(createdReply(invoice));
}
