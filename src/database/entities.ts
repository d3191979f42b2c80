import { Message } from '../channels/message.entity';
import { Conversation } from '../conversations/conversation.entity';
import { Invoice } from '../invoices/invoice.entity';
import { Customer } from '../merchants/customer.entity';
import { Merchant } from '../merchants/merchant.entity';
import { Payment } from '../payments/payment.entity';
import { InboundEvent } from '../runtime/inbound-event.entity';
import { OutboxRow } from '../runtime/outbox.entity';
import { TimerRow } from '../runtime/timer.entity';
import { Transition } from '../runtime/transition.entity';

export const ENTITIES = [
  Merchant,
  Customer,
  Conversation,
  Invoice,
  Payment,
  Message,
  InboundEvent,
  Transition,
  OutboxRow,
  TimerRow,
];
