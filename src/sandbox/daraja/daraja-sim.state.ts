import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SimTokenStore } from './daraja-sim-tokens';
import {
  DEFAULT_SIM_SETTINGS,
  type FaultTarget,
  type QueuedOutcome,
  type SimCallbackRecord,
  type SimFault,
  type SimPush,
  type SimRequestRecord,
  type SimSettings,
} from './daraja-simulator.types';

const MAX_RECORDS = 500;

/**
 * Everything the Daraja simulator remembers, in memory. One instance per app; tests clear it
 * with POST /sandbox/daraja/control/reset.
 */
@Injectable()
export class DarajaSimState implements OnModuleDestroy {
  settings: SimSettings = { ...DEFAULT_SIM_SETTINGS };
  readonly tokens = new SimTokenStore();
  queue: QueuedOutcome[] = [];
  faults: SimFault[] = [];
  readonly pushes = new Map<string, SimPush>();
  /** MSISDN → CheckoutRequestID of its pending prompt: one prompt per subscriber at a time. */
  readonly locks = new Map<string, string>();
  readonly timers = new Map<string, NodeJS.Timeout>();
  requests: SimRequestRecord[] = [];
  callbacks: SimCallbackRecord[] = [];
  queryTimes: number[] = [];
  oauthCalls = 0;
  private seq = 0;

  record(entry: Omit<SimRequestRecord, 'seq' | 'at'>): void {
    this.requests.push({ seq: ++this.seq, at: new Date().toISOString(), ...entry });
    if (this.requests.length > MAX_RECORDS) this.requests.shift();
  }

  recordCallback(entry: SimCallbackRecord): void {
    this.callbacks.push(entry);
    if (this.callbacks.length > MAX_RECORDS) this.callbacks.shift();
  }

  takeFault(target: FaultTarget): SimFault | undefined {
    const fault = this.faults.find((f) => f.target === target);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  /** The plan queued for this phone, else one queued for any phone. */
  takeQueued(phone: string): QueuedOutcome | undefined {
    let index = this.queue.findIndex((q) => q.phone === phone);
    if (index < 0) index = this.queue.findIndex((q) => q.phone === undefined);
    if (index < 0) return undefined;
    return this.queue.splice(index, 1)[0];
  }

  schedule(checkoutRequestId: string, delayMs: number, run: () => Promise<void>): void {
    this.cancelTimer(checkoutRequestId);
    const timer = setTimeout(() => {
      this.timers.delete(checkoutRequestId);
      void run();
    }, delayMs);
    // A pending prompt must not keep a closing app (or a test run) alive.
    timer.unref();
    this.timers.set(checkoutRequestId, timer);
  }

  cancelTimer(checkoutRequestId: string): void {
    const timer = this.timers.get(checkoutRequestId);
    if (timer) clearTimeout(timer);
    this.timers.delete(checkoutRequestId);
  }

  reset(options: { tokens?: boolean } = {}): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.settings = { ...DEFAULT_SIM_SETTINGS };
    this.queue = [];
    this.faults = [];
    this.pushes.clear();
    this.locks.clear();
    this.requests = [];
    this.callbacks = [];
    this.queryTimes = [];
    this.oauthCalls = 0;
    this.seq = 0;
    if (options.tokens) this.tokens.expireAll();
  }

  onModuleDestroy(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
