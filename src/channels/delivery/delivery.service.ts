import { HttpStatus, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/http/domain-error';
import { hashPhone } from '../../common/logging/redact';
import { parseKenyanMobile } from '../../common/phone';
import { isUuid } from '../../common/text/uuid';
import { DELIVERY_MACHINE_KIND, type DeliveryInput } from '../../machines/delivery.machine';
import { Clock } from '../../runtime/clock';
import { MachineRunner } from '../../runtime/machine-runner';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { OutboundMessagePayload } from '../../common/messaging/outbound-message';
import { DELIVERY_OPTIONS, type DeliveryModuleOptions, fallbackAfterMs } from './delivery.options';
import { DeliveryRepository } from './delivery.repository';
import { contentProblem } from './outbound-content';

const POLICIES = ['auto', 'whatsapp', 'sms'] as const;

export interface EnqueueOptions {
  /** Unique forever: the same key twice is one delivery (e.g. the outbox row that asked). */
  key: string;
  /** Audit source of the machine's start, e.g. "outbox:invoice.deliver". */
  source?: string;
}

export class InvalidDeliveryError extends DomainError {
  constructor(message: string) {
    super('invalid_delivery', message, HttpStatus.BAD_REQUEST);
  }
}

/**
 * The way into the delivery policy for every module: one call per logical message, inside the
 * caller's transaction, so the message goes out if and only if the caller's change commits.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly fallbackMs: number;

  constructor(
    private readonly runner: MachineRunner,
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
    private readonly deliveries: DeliveryRepository,
    @Optional() @Inject(DELIVERY_OPTIONS) options?: DeliveryModuleOptions,
  ) {
    this.fallbackMs = fallbackAfterMs(options);
  }

  async enqueue(
    manager: EntityManager,
    payload: OutboundMessagePayload,
    options: EnqueueOptions,
  ): Promise<{ deliveryId: string; created: boolean }> {
    const checked = this.check(payload);
    const now = this.clock.now();
    const deliveryId = await this.deliveries.insert(manager, {
      idempotencyKey: options.key,
      purpose: checked.purpose,
      recipient: checked.to,
      invoiceId: checked.invoiceId ?? null,
      conversationId: checked.conversationId ?? null,
      policy: checked.channel,
      payload: checked,
      at: now,
    });
    if (!deliveryId) {
      const existing = await this.deliveries.findIdByKey(manager, options.key);
      // ON CONFLICT waited for the other insert to commit, so its row is visible here.
      if (!existing) throw new Error(`delivery ${options.key} conflicted but cannot be read`);
      return { deliveryId: existing, created: false };
    }
    const input: DeliveryInput = {
      deliveryId,
      policy: checked.channel,
      purpose: checked.purpose,
      invoiceId: checked.invoiceId ?? null,
      fallbackAfterMs: this.fallbackMs,
    };
    await this.runner.start(
      DELIVERY_MACHINE_KIND,
      deliveryId,
      { ...input },
      manager,
      options.source ?? 'delivery',
    );
    this.logger.log({
      msg: 'delivery created',
      deliveryId,
      purpose: checked.purpose,
      policy: checked.channel,
      recipient: hashPhone(checked.to),
    });
    return { deliveryId, created: true };
  }

  /** enqueue in a transaction of its own. */
  send(
    payload: OutboundMessagePayload,
    options: EnqueueOptions,
  ): Promise<{ deliveryId: string; created: boolean }> {
    return this.signals.transaction((manager) => this.enqueue(manager, payload, options));
  }

  /**
   * Retention: finished deliveries last changed before `before`. They keep the rendered text
   * they sent, so they go with the message metadata.
   */
  countFinishedBefore(tx: EntityManager, before: Date): Promise<number> {
    return this.deliveries.countFinishedBefore(tx, before);
  }

  /** Retention: deletes up to `limit` of those deliveries; returns how many. */
  deleteFinishedBefore(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return this.deliveries.deleteFinishedBefore(tx, before, limit);
  }

  /** Normalises the recipient; refuses what no channel could ever send. */
  private check(payload: OutboundMessagePayload): OutboundMessagePayload {
    const phone = parseKenyanMobile(String(payload.to ?? ''));
    if (!phone.ok) throw new InvalidDeliveryError(`to is not a Kenyan mobile (${phone.problem})`);
    if (!POLICIES.includes(payload.channel))
      throw new InvalidDeliveryError('channel must be auto, whatsapp or sms');
    if (
      typeof payload.purpose !== 'string' ||
      payload.purpose.length < 1 ||
      payload.purpose.length > 60
    )
      throw new InvalidDeliveryError('purpose must be 1 to 60 characters');
    const problem = contentProblem(payload);
    if (problem) throw new InvalidDeliveryError(problem);
    for (const id of [payload.invoiceId, payload.conversationId])
      if (id !== undefined && id !== null && !isUuid(id))
        throw new InvalidDeliveryError('invoiceId and conversationId must be UUIDs');
    return { ...payload, to: phone.phone };
  }
}
