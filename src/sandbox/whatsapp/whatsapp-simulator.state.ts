import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import { serviceWindowOpen } from './service-window';

export type OutboundStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

/** One line of a simulated chat, as the person's phone (and a /sandbox page) would show it. */
export interface TranscriptEntry {
  /** wamid. */
  id: string;
  direction: 'outbound' | 'inbound';
  /** ISO time the simulator took or produced the message. */
  at: string;
  /** `text`, `interactive:button`, `template`, `image`… */
  kind: string;
  /** What the person reads (outbound) or wrote (inbound), plain text. */
  preview: string;
  /** The wire object: the `text`/`interactive`/`template`… object, or the inbound message. */
  content: unknown;
  /** Outbound only. */
  status?: OutboundStatus;
  /** Outbound only: 0 accepted, 1 sent ✓, 2 delivered ✓✓, 3 read (blue ✓✓), -1 failed. */
  ticks?: number;
  statusHistory?: { status: OutboundStatus; at: string }[];
  error?: { code: number; title: string };
}

export interface UserSettings {
  /** Sends answer 131026 synchronously. */
  notOnWhatsApp: boolean;
  /** A free-form send outside the window is accepted, then fails by webhook (131047). */
  asyncWindowFailure: boolean;
  autoDeliver: boolean;
  autoRead: boolean;
}

export interface SimulatedUser {
  waId: string;
  lastInboundAt: Date | null;
  settings: UserSettings;
  transcript: TranscriptEntry[];
}

export interface WhatsAppSimulatorEvents {
  transcript: [{ phone: string; entry: TranscriptEntry }];
  reset: [];
}

export const DEFAULT_STEP_MS = 300;
/** Meta's default per-number throughput. */
export const DEFAULT_PER_SECOND = 80;
const DEFAULT_SETTINGS: UserSettings = {
  notOnWhatsApp: false,
  asyncWindowFailure: false,
  autoDeliver: true,
  autoRead: true,
};
const TICKS: Record<OutboundStatus, number> = {
  accepted: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: -1,
};

/** The simulated WhatsApp users, their chats and windows, and the account's throughput. */
@Injectable()
export class WhatsAppSimulatorState {
  readonly events = new EventEmitter<WhatsAppSimulatorEvents>();
  private readonly users = new Map<string, SimulatedUser>();
  private recentSends: number[] = [];
  /** Delay between accept → sent → delivered → read. */
  stepMs = DEFAULT_STEP_MS;
  perSecond = DEFAULT_PER_SECOND;

  reset(): void {
    this.users.clear();
    this.recentSends = [];
    this.stepMs = DEFAULT_STEP_MS;
    this.perSecond = DEFAULT_PER_SECOND;
    this.events.emit('reset');
  }

  user(waId: string): SimulatedUser {
    let user = this.users.get(waId);
    if (!user) {
      user = { waId, lastInboundAt: null, settings: { ...DEFAULT_SETTINGS }, transcript: [] };
      this.users.set(waId, user);
    }
    return user;
  }

  updateSettings(waId: string, change: Partial<UserSettings>): UserSettings {
    const user = this.user(waId);
    user.settings = { ...user.settings, ...change };
    return { ...user.settings };
  }

  windowOpen(waId: string, now = new Date()): boolean {
    return serviceWindowOpen(this.user(waId).lastInboundAt, now);
  }

  /** Counts one send against the per-second limit; false when over it. */
  takeThroughput(now = Date.now()): boolean {
    this.recentSends = this.recentSends.filter((t) => now - t < 1_000);
    if (this.recentSends.length >= this.perSecond) return false;
    this.recentSends.push(now);
    return true;
  }

  append(waId: string, entry: TranscriptEntry): void {
    const user = this.user(waId);
    if (entry.direction === 'inbound') user.lastInboundAt = new Date(entry.at);
    user.transcript.push(entry);
    this.emit(waId, entry);
  }

  transcript(waId: string): TranscriptEntry[] {
    return this.user(waId).transcript.map((e) => ({ ...e }));
  }

  find(id: string): { waId: string; entry: TranscriptEntry } | undefined {
    for (const user of this.users.values()) {
      const entry = user.transcript.find((e) => e.id === id);
      if (entry) return { waId: user.waId, entry };
    }
    return undefined;
  }

  /** The most recent outbound message to this user, e.g. what a button tap replies to. */
  lastOutbound(waId: string): TranscriptEntry | undefined {
    return [...this.user(waId).transcript].reverse().find((e) => e.direction === 'outbound');
  }

  setStatus(id: string, status: OutboundStatus, error?: { code: number; title: string }): void {
    const found = this.find(id);
    if (!found) return;
    const { entry } = found;
    entry.status = status;
    entry.ticks = TICKS[status];
    entry.statusHistory = [
      ...(entry.statusHistory ?? []),
      { status, at: new Date().toISOString() },
    ];
    if (error) entry.error = error;
    this.emit(found.waId, entry);
  }

  private emit(waId: string, entry: TranscriptEntry): void {
    this.events.emit('transcript', { phone: waId, entry: { ...entry } });
  }
}

export function ticksOf(status: OutboundStatus): number {
  return TICKS[status];
}
