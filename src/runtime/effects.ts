import type { OutboundMessagePayload } from '../common/messaging/outbound-message';

/**
 * The effects a machine may ask for. Machines are pure: they name these actions with params
 * (`{ type: 'outbox', params: … }`), and the runner turns them into rows in the same
 * transaction as the snapshot. Keys are scoped to the machine instance by the runner, so a
 * machine only has to make them unique within itself and deterministic (never random).
 */
export interface OutboxEffect {
  /** Outbox handler kind, e.g. "invoice.deliver". */
  kind: string;
  /** Deterministic per logical effect, e.g. `deliver:${attempt}`. Repeats are dropped. */
  key: string;
  payload: Record<string, unknown>;
  maxAttempts?: number;
  /** Do not run before this delay has passed. */
  delayMs?: number;
}

export interface SetTimerEffect {
  key: string;
  /** Relative to the transition's time; or `at` (ISO) for an absolute time. */
  delayMs?: number;
  at?: string;
  event: { type: string } & Record<string, unknown>;
}

export interface CancelTimerEffect {
  key: string;
}

/**
 * One message to one person (what to say, rendered when it leaves). The runner hands it to the
 * DeliverPort in the transition's transaction, so the delivery exists if and only if the
 * transition commits: no outbox hop in between.
 */
export interface DeliverEffect {
  /** Deterministic per message, e.g. `reply:${seq}`. Repeats are one delivery. */
  key: string;
  message: OutboundMessagePayload;
}

export const EFFECT_ACTIONS = ['outbox', 'setTimer', 'cancelTimer', 'deliver'] as const;
export type EffectActionType = (typeof EFFECT_ACTIONS)[number];

/**
 * No-op implementations to put in `setup({ actions })`: the runner reads the params from
 * `transition()`'s action list; nothing runs inside the machine.
 */
export const effectActions = {
  outbox: (_: unknown, _params: OutboxEffect) => undefined,
  setTimer: (_: unknown, _params: SetTimerEffect) => undefined,
  cancelTimer: (_: unknown, _params: CancelTimerEffect) => undefined,
  deliver: (_: unknown, _params: DeliverEffect) => undefined,
};
