import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { AtReportStatus } from './at-wire';

/** One SMS the simulator accepted, as the recipient's phone would show it. */
export interface SimulatedSms {
  messageId: string;
  to: string;
  from: string;
  message: string;
  segments: number;
  cost: string;
  /** 'Queued' until the delivery report for it has been produced. */
  status: 'Queued' | AtReportStatus;
  failureReason?: string;
  sentAt: string;
  updatedAt: string;
}

export interface NumberBehaviour {
  /** The report every accepted SMS to this number gets; 'None' sends no report. */
  deliveryStatus?: AtReportStatus | 'None';
  failureReason?: string;
  deliveryDelayMs?: number;
  /** Answer the next `count` sends to this number with this recipient statusCode. */
  failNextSends?: { statusCode: number; count: number };
}

export interface SimulatorEvents {
  /** An SMS was added to, or changed in, a number's inbox. */
  inbox: [{ phone: string; sms: SimulatedSms }];
  /** An inbound SMS was injected (no text: listeners read the app side). */
  inbound: [{ from: string; id: string }];
  reset: [];
}

export const DEFAULT_DELIVERY_DELAY_MS = 150;

/**
 * The simulator's memory: inboxes, per-number behaviour and the account balance switch.
 * In-process only, like the sandbox itself; `events` feeds a live page.
 */
@Injectable()
export class AfricasTalkingSimulatorState {
  readonly events = new EventEmitter<SimulatorEvents>();
  private readonly inboxes = new Map<string, SimulatedSms[]>();
  private readonly numbers = new Map<string, NumberBehaviour>();
  insufficientBalance = false;
  deliveryDelayMs = DEFAULT_DELIVERY_DELAY_MS;

  reset(): void {
    this.inboxes.clear();
    this.numbers.clear();
    this.insufficientBalance = false;
    this.deliveryDelayMs = DEFAULT_DELIVERY_DELAY_MS;
    this.events.emit('reset');
  }

  inbox(phone: string): SimulatedSms[] {
    return [...(this.inboxes.get(phone) ?? [])];
  }

  behaviour(phone: string): NumberBehaviour {
    return this.numbers.get(phone) ?? {};
  }

  setBehaviour(phone: string, change: NumberBehaviour): NumberBehaviour {
    const next = { ...this.behaviour(phone), ...change };
    this.numbers.set(phone, next);
    return next;
  }

  /** The forced statusCode for this send, if one is pending (and uses it up). */
  takeForcedStatus(phone: string): number | undefined {
    const b = this.numbers.get(phone);
    const forced = b?.failNextSends;
    if (!b || !forced || forced.count <= 0) return undefined;
    const count = forced.count - 1;
    this.numbers.set(phone, {
      ...b,
      failNextSends: count > 0 ? { statusCode: forced.statusCode, count } : undefined,
    });
    return forced.statusCode;
  }

  deliver(sms: SimulatedSms): void {
    const list = this.inboxes.get(sms.to) ?? [];
    list.push(sms);
    this.inboxes.set(sms.to, list);
    this.events.emit('inbox', { phone: sms.to, sms: { ...sms } });
  }

  find(messageId: string): SimulatedSms | undefined {
    for (const list of this.inboxes.values()) {
      const found = list.find((s) => s.messageId === messageId);
      if (found) return found;
    }
    return undefined;
  }

  updateStatus(
    messageId: string,
    status: AtReportStatus,
    failureReason?: string,
  ): SimulatedSms | undefined {
    const sms = this.find(messageId);
    if (!sms) return undefined;
    sms.status = status;
    if (failureReason) sms.failureReason = failureReason;
    else delete sms.failureReason;
    sms.updatedAt = new Date().toISOString();
    this.events.emit('inbox', { phone: sms.to, sms: { ...sms } });
    return sms;
  }
}

/** 63902 Safaricom, 63903 Airtel, 63907 Telkom: by prefix, close enough for a simulator. */
export function networkCodeOf(e164: string): string {
  const national = e164.replace(/^\+254/, '');
  if (/^(73|78|75[0-6]|10)/.test(national)) return '63903';
  if (/^77/.test(national)) return '63907';
  return '63902';
}
