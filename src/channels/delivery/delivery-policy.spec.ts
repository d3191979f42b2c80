import { Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  initialTransition,
  transition,
} from 'xstate';
import {
  asDependency,
  notCalled,
  type PublicOf,
  typedFake,
  type TypedFake,
} from '../../../test/utils/typed-fake';
import type { OutboundMessagePayload } from '../../common/messaging/outbound-message';
import {
  DELIVERY_INVOICE_EVENT,
  DELIVERY_MACHINE_KIND,
  deliveryMachine,
  SMS_SEND,
  WHATSAPP_SEND,
} from '../../machines/delivery.machine';
import { ManualClock } from '../../runtime/clock';
import type { OutboxEffect, SetTimerEffect } from '../../runtime/effects';
import { stateName, type PersistedMachineSnapshot } from '../../runtime/machine-definition';
import type {
  MachineEvent,
  MachineRunner,
  SendOptions,
  SendResult,
} from '../../runtime/machine-runner';
import { RuntimeSignals } from '../../runtime/runtime-signals';
import type { WhatsAppStatusEvent } from '../whatsapp/whatsapp-events';
import { MessageRepository } from '../message.repository';
import { DeliveryStatusHandler } from './delivery-status.handler';
import { DeliveryRepository, type DeliveryRecord } from './delivery.repository';
import { InvalidDeliveryError, DeliveryService } from './delivery.service';
import { MessageLog } from './message-log';

/*
 * The delivery policy at the service tier: DeliveryService, the WhatsApp status feed and the
 * message log, over typed fakes of DeliveryRepository and MessageRepository and a runner that
 * runs the real delivery machine in memory. Each test states one rule of "WhatsApp first, at
 * most one SMS" and fails if the services or the machine stop keeping it.
 */

const DELIVERY_ID = '0b7e4a9c-1d2e-4f3a-8b5c-6d7e8f9a0b1c';
const INVOICE_ID = '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f';
const WAMID = 'wamid.HBgMMjU0NzEyMzQ1Njc4';
const FALLBACK_SECONDS = 90;

interface RecordedEffect {
  entityId: string;
  type: string;
  params: unknown;
}

/**
 * MachineRunner's contract kept in memory: the registered machine's pure transitions, the
 * effects they ask for, and dedupe keys applied once. Typed against the runner's public surface.
 */
class InMemoryRunner implements PublicOf<MachineRunner> {
  readonly effects: RecordedEffect[] = [];
  readonly sends: { entityId: string; event: MachineEvent; options: SendOptions }[] = [];
  private readonly snapshots = new Map<string, AnyMachineSnapshot>();
  private readonly dedupeKeys = new Set<string>();
  private readonly machine: AnyStateMachine = deliveryMachine;

  start(
    kind: string,
    entityId: string,
    input: Record<string, unknown>,
    _manager: EntityManager,
  ): Promise<{ state: string; snapshot: PersistedMachineSnapshot }> {
    expect(kind).toBe(DELIVERY_MACHINE_KIND);
    const [snapshot, actions] = initialTransition(this.machine, input);
    this.snapshots.set(entityId, snapshot);
    this.record(entityId, actions);
    const persisted = this.persisted(snapshot);
    return Promise.resolve({ state: stateName(persisted.value), snapshot: persisted });
  }

  send(
    kind: string,
    entityId: string,
    event: MachineEvent,
    options: SendOptions,
  ): Promise<SendResult> {
    expect(kind).toBe(DELIVERY_MACHINE_KIND);
    this.sends.push({ entityId, event, options });
    const current = this.snapshots.get(entityId);
    if (!current) return Promise.resolve({ accepted: false, reason: 'unknown_entity' });
    if (options.dedupeKey) {
      if (this.dedupeKeys.has(`${entityId}:${options.dedupeKey}`))
        return Promise.resolve({ accepted: false, reason: 'duplicate' });
      this.dedupeKeys.add(`${entityId}:${options.dedupeKey}`);
    }
    const [next, actions] = transition(this.machine, current, event);
    const state = this.state(entityId);
    if (next === current && actions.length === 0)
      return Promise.resolve({ accepted: false, reason: 'not_accepted', state, version: 0 });
    this.snapshots.set(entityId, next);
    this.record(entityId, actions);
    const persisted = this.persisted(next);
    return Promise.resolve({
      accepted: true,
      state: stateName(persisted.value),
      version: 1,
      snapshot: persisted,
    });
  }

  lastAcceptedAt = notCalled<Parameters<MachineRunner['lastAcceptedAt']>, Promise<Date | null>>(
    'lastAcceptedAt',
  );
  onTransition = notCalled<Parameters<MachineRunner['onTransition']>, () => void>('onTransition');

  state(entityId: string): string {
    const snapshot = this.snapshots.get(entityId);
    if (!snapshot) throw new Error(`no machine ${entityId}`);
    return stateName(snapshot.value);
  }

  context(entityId: string): Record<string, unknown> {
    return this.persisted(this.snapshots.get(entityId)).context;
  }

  outbox(entityId = DELIVERY_ID): OutboxEffect[] {
    return this.effects
      .filter((e) => e.entityId === entityId && e.type === 'outbox')
      .map((e) => e.params as OutboxEffect);
  }

  /** The channel sends asked for, in order: what reaches the person. */
  channelSends(entityId = DELIVERY_ID): string[] {
    return this.outbox(entityId)
      .map((e) => e.kind)
      .filter((kind) => kind === WHATSAPP_SEND || kind === SMS_SEND);
  }

  effectsOf(type: string, entityId = DELIVERY_ID): unknown[] {
    return this.effects
      .filter((e) => e.entityId === entityId && e.type === type)
      .map((e) => e.params);
  }

  private record(entityId: string, actions: { type: string; params?: unknown }[]): void {
    for (const action of actions)
      this.effects.push({ entityId, type: action.type, params: action.params });
  }

  private persisted(snapshot: AnyMachineSnapshot | undefined): PersistedMachineSnapshot {
    if (!snapshot) throw new Error('no snapshot');
    return this.machine.getPersistedSnapshot(snapshot) as unknown as PersistedMachineSnapshot;
  }
}

/** Everything a policy test needs, built fresh (immich's newTestService, by hand). */
function newDeliveryPolicyTest() {
  // Never connected: the fakes ignore the manager; it only has to be a real one.
  const dataSource = new DataSource({ type: 'postgres' });
  const tx = dataSource.manager;
  const clock = new ManualClock('2026-01-15T09:00:00+03:00');
  const runner = new InMemoryRunner();
  const deliveries: TypedFake<DeliveryRepository> = typedFake<DeliveryRepository>({
    insert: jest.fn(),
    findIdByKey: jest.fn(),
    findById: notCalled('findById'),
    markSendStarted: notCalled('markSendStarted'),
    clearSendStarted: notCalled('clearSendStarted'),
    invoiceReachedCustomer: notCalled('invoiceReachedCustomer'),
    countFinishedBefore: notCalled('countFinishedBefore'),
    deleteFinishedBefore: notCalled('deleteFinishedBefore'),
  });
  const messages: TypedFake<MessageRepository> = typedFake<MessageRepository>({
    insertOutboundAttempt: jest.fn(),
    findAcceptedProviderMessageId: jest.fn(),
    findDeliveryIdOfOutbound: jest.fn(),
    applyWhatsAppStatus: notCalled('applyWhatsAppStatus'),
    applySmsReport: notCalled('applySmsReport'),
    existsWithProviderId: notCalled('existsWithProviderId'),
    countCreatedBefore: notCalled('countCreatedBefore'),
    deleteCreatedBefore: notCalled('deleteCreatedBefore'),
    latestOutboundForInvoice: notCalled('latestOutboundForInvoice'),
  });
  deliveries.insert.mockResolvedValue(DELIVERY_ID);
  messages.insertOutboundAttempt.mockResolvedValue(undefined);
  const machineRunner = asDependency<MachineRunner>(runner);
  const service = new DeliveryService(
    machineRunner,
    new RuntimeSignals(dataSource),
    clock,
    deliveries,
    { smsFallbackAfterSeconds: FALLBACK_SECONDS },
  );
  const statuses = new DeliveryStatusHandler(dataSource, machineRunner, messages);
  const log = new MessageLog(messages);
  return { tx, clock, runner, deliveries, messages, service, statuses, log };
}

type PolicyTest = ReturnType<typeof newDeliveryPolicyTest>;

const payload = (over: Partial<OutboundMessagePayload> = {}): OutboundMessagePayload => ({
  to: '0712345678',
  channel: 'auto',
  purpose: 'invoice',
  invoiceId: INVOICE_ID,
  content: { type: 'text', body: 'Invoice INV-0001: KES 1,500' },
  ...over,
});

const status = (
  value: WhatsAppStatusEvent['status'],
  errors?: WhatsAppStatusEvent['errors'],
): WhatsAppStatusEvent => ({
  kind: 'status',
  id: WAMID,
  status: value,
  timestamp: new Date('2026-01-15T06:00:05Z'),
  recipient: '+254712345678',
  ...(errors ? { errors } : {}),
});

/** What the outbox dispatcher tells the machine when the WhatsApp send handler was accepted. */
async function whatsappAccepted(t: PolicyTest): Promise<void> {
  await t.runner.send(
    DELIVERY_MACHINE_KIND,
    DELIVERY_ID,
    { type: 'SEND_ACCEPTED', channel: 'whatsapp', providerMessageId: WAMID },
    { source: 'outbox:whatsapp.send' },
  );
  t.messages.findDeliveryIdOfOutbound.mockResolvedValue(DELIVERY_ID);
}

beforeAll(() => Logger.overrideLogger(false));

describe('delivery policy: creating a delivery', () => {
  it('stores it once with the normalised number and starts with WhatsApp under auto', async () => {
    const t = newDeliveryPolicyTest();
    const result = await t.service.enqueue(t.tx, payload(), { key: 'invoice:1:deliver:1' });

    expect(result).toEqual({ deliveryId: DELIVERY_ID, created: true });
    expect(t.deliveries.insert).toHaveBeenCalledTimes(1);
    expect(t.deliveries.insert).toHaveBeenCalledWith(t.tx, {
      idempotencyKey: 'invoice:1:deliver:1',
      purpose: 'invoice',
      recipient: '+254712345678',
      invoiceId: INVOICE_ID,
      conversationId: null,
      policy: 'auto',
      payload: expect.objectContaining({ to: '+254712345678', channel: 'auto' }),
      at: t.clock.now(),
    });
    expect(t.runner.state(DELIVERY_ID)).toBe('WHATSAPP_PENDING');
    expect(t.runner.channelSends()).toEqual([WHATSAPP_SEND]);
  });

  it('is one delivery for one key: a second enqueue neither inserts nor starts a machine', async () => {
    const t = newDeliveryPolicyTest();
    t.deliveries.insert.mockResolvedValue(null);
    t.deliveries.findIdByKey.mockResolvedValue(DELIVERY_ID);

    const result = await t.service.enqueue(t.tx, payload(), { key: 'invoice:1:deliver:1' });

    expect(result).toEqual({ deliveryId: DELIVERY_ID, created: false });
    expect(t.deliveries.findIdByKey).toHaveBeenCalledWith(t.tx, 'invoice:1:deliver:1');
    expect(t.runner.effects).toEqual([]);
  });

  it('goes straight to SMS when the policy is sms, and never tries WhatsApp', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload({ channel: 'sms' }), { key: 'k' });

    expect(t.runner.state(DELIVERY_ID)).toBe('SMS_PENDING');
    expect(t.runner.channelSends()).toEqual([SMS_SEND]);
  });

  it('refuses a template without SMS wording when SMS may be needed, before storing anything', async () => {
    const t = newDeliveryPolicyTest();
    const template = payload({
      content: { type: 'template', name: 'invoice_new', language: 'en', bodyParameters: [] },
    });

    await expect(t.service.enqueue(t.tx, template, { key: 'k' })).rejects.toBeInstanceOf(
      InvalidDeliveryError,
    );
    expect(t.deliveries.insert).not.toHaveBeenCalled();

    // Pinned to WhatsApp, no SMS can ever be sent: the template alone is enough.
    await t.service.enqueue(t.tx, { ...template, channel: 'whatsapp' }, { key: 'k' });
    expect(t.deliveries.insert).toHaveBeenCalledTimes(1);
  });

  it('refuses a number that is not a Kenyan mobile', async () => {
    const t = newDeliveryPolicyTest();
    await expect(
      t.service.enqueue(t.tx, payload({ to: '+14155550100' }), { key: 'k' }),
    ).rejects.toBeInstanceOf(InvalidDeliveryError);
    expect(t.deliveries.insert).not.toHaveBeenCalled();
  });
});

describe('delivery policy: WhatsApp first, one SMS fallback (auto)', () => {
  it('waits the configured time for a delivered status once WhatsApp accepted', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    await whatsappAccepted(t);

    expect(t.runner.state(DELIVERY_ID)).toBe('WAITING');
    expect(t.runner.effectsOf('setTimer')).toEqual([
      expect.objectContaining<Partial<SetTimerEffect>>({
        key: 'fallback',
        delayMs: FALLBACK_SECONDS * 1000,
      }),
    ]);
    expect(t.runner.channelSends()).not.toContain(SMS_SEND);
  });

  it('sends one SMS when WhatsApp reports the message failed', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    await whatsappAccepted(t);

    await t.statuses.handle(status('failed', [{ code: 131026, title: 'Message undeliverable' }]));

    expect(t.messages.findDeliveryIdOfOutbound).toHaveBeenCalledWith(t.tx, 'whatsapp', WAMID);
    expect(t.runner.state(DELIVERY_ID)).toBe('SMS_PENDING');
    expect(t.runner.channelSends().filter((k) => k === SMS_SEND)).toHaveLength(1);
    expect(t.runner.context(DELIVERY_ID)).toMatchObject({ fallbackReason: 'status:131026' });
    expect(t.runner.effectsOf('cancelTimer')).toContainEqual({ key: 'fallback' });
  });

  it('sends one SMS when no delivered status comes within the wait', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    await whatsappAccepted(t);

    await t.runner.send(
      DELIVERY_MACHINE_KIND,
      DELIVERY_ID,
      { type: 'FALLBACK_TIMEOUT' },
      { source: 'timer' },
    );

    expect(t.runner.state(DELIVERY_ID)).toBe('SMS_PENDING');
    expect(t.runner.channelSends()).toEqual([WHATSAPP_SEND, SMS_SEND]);
    expect(t.runner.context(DELIVERY_ID)).toMatchObject({ fallbackReason: 'timeout' });
  });

  it('sends no SMS when WhatsApp confirms delivery (delivered or read), and stops the wait', async () => {
    for (const confirmed of ['delivered', 'read'] as const) {
      const t = newDeliveryPolicyTest();
      await t.service.enqueue(t.tx, payload(), { key: 'k' });
      await whatsappAccepted(t);

      await t.statuses.handle(status(confirmed));

      expect(t.runner.state(DELIVERY_ID)).toBe('DELIVERED');
      expect(t.runner.context(DELIVERY_ID)).toMatchObject({ deliveredVia: 'whatsapp' });
      expect(t.runner.channelSends()).not.toContain(SMS_SEND);
      expect(t.runner.effectsOf('cancelTimer')).toEqual([{ key: 'fallback' }]);
    }
  });

  it('sends the SMS at once when WhatsApp refuses the message, without waiting', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });

    await t.runner.send(
      DELIVERY_MACHINE_KIND,
      DELIVERY_ID,
      { type: 'SEND_FALLBACK', channel: 'whatsapp', code: '131047' },
      { source: 'outbox:whatsapp.send' },
    );

    expect(t.runner.state(DELIVERY_ID)).toBe('SMS_PENDING');
    expect(t.runner.channelSends()).toEqual([WHATSAPP_SEND, SMS_SEND]);
    expect(t.runner.effectsOf('setTimer')).toEqual([]);
    expect(t.runner.context(DELIVERY_ID)).toMatchObject({ fallbackReason: 'send:131047' });
  });

  it('never sends a second SMS: a later failure or timeout is not a new fallback', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    await whatsappAccepted(t);
    await t.statuses.handle(status('failed', [{ code: 131026, title: 'Message undeliverable' }]));

    await t.runner.send(
      DELIVERY_MACHINE_KIND,
      DELIVERY_ID,
      { type: 'FALLBACK_TIMEOUT' },
      { source: 'timer' },
    );
    await t.runner.send(
      DELIVERY_MACHINE_KIND,
      DELIVERY_ID,
      { type: 'SEND_FAILED', channel: 'sms', code: '403' },
      { source: 'outbox:sms.send' },
    );

    expect(t.runner.state(DELIVERY_ID)).toBe('FAILED');
    expect(t.runner.channelSends().filter((k) => k === SMS_SEND)).toHaveLength(1);
  });

  it('treats a send that never got an answer as accepted, so the fallback covers it', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    const delivery: DeliveryRecord = {
      id: DELIVERY_ID,
      purpose: 'invoice',
      recipient: '+254712345678',
      invoiceId: INVOICE_ID,
      conversationId: null,
      policy: 'auto',
      payload: payload(),
      state: 'WHATSAPP_PENDING',
      deliveredVia: null,
    };

    const result = await t.log.recordUnconfirmedSend(t.tx, delivery, {
      channel: 'whatsapp',
      kind: 'text',
      at: t.clock.now(),
    });

    expect(t.messages.insertOutboundAttempt).toHaveBeenCalledWith(
      t.tx,
      expect.objectContaining({
        channel: 'whatsapp',
        providerMessageId: `unconfirmed:${DELIVERY_ID}`,
        logicalId: DELIVERY_ID,
        status: 'sent',
      }),
    );
    expect(result.status).toBe('done');
    if (result.status !== 'done' || !result.event) throw new Error('no event for the machine');
    await t.runner.send(DELIVERY_MACHINE_KIND, DELIVERY_ID, result.event, {
      source: 'outbox:whatsapp.send',
    });
    // No status will ever name "unconfirmed:…": only the wait can end it, with the SMS.
    expect(t.runner.state(DELIVERY_ID)).toBe('WAITING');
    await t.runner.send(
      DELIVERY_MACHINE_KIND,
      DELIVERY_ID,
      { type: 'FALLBACK_TIMEOUT' },
      { source: 'timer' },
    );
    expect(t.runner.channelSends()).toEqual([WHATSAPP_SEND, SMS_SEND]);
  });

  it("records a refused send as a failed attempt with the provider's code", async () => {
    const t = newDeliveryPolicyTest();
    const delivery: DeliveryRecord = {
      id: DELIVERY_ID,
      purpose: 'invoice',
      recipient: '+254712345678',
      invoiceId: INVOICE_ID,
      conversationId: null,
      policy: 'auto',
      payload: payload(),
      state: 'WHATSAPP_PENDING',
      deliveredVia: null,
    };
    const at = t.clock.now();

    await t.log.recordRefusal(
      t.tx,
      delivery,
      { channel: 'whatsapp', kind: 'text', at },
      { status: 'fallback', code: '131047', reason: 'x'.repeat(300) },
    );

    expect(t.messages.insertOutboundAttempt).toHaveBeenCalledWith(t.tx, {
      channel: 'whatsapp',
      providerMessageId: null,
      logicalId: DELIVERY_ID,
      invoiceId: INVOICE_ID,
      conversationId: null,
      recipient: '+254712345678',
      purpose: 'invoice',
      kind: 'text',
      status: 'failed',
      at,
      errorCode: '131047',
      errorTitle: 'x'.repeat(200),
    });
  });
});

describe('delivery policy: WhatsApp pinned', () => {
  it('never falls back to SMS: a failure ends the delivery and tells the invoice', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload({ channel: 'whatsapp' }), { key: 'k' });
    await whatsappAccepted(t);
    expect(t.runner.state(DELIVERY_ID)).toBe('WHATSAPP_SENT');

    await t.statuses.handle(status('failed', [{ code: 131026, title: 'Message undeliverable' }]));

    expect(t.runner.state(DELIVERY_ID)).toBe('FAILED');
    expect(t.runner.channelSends()).toEqual([WHATSAPP_SEND]);
    expect(t.runner.effectsOf('setTimer')).toEqual([]);
    const toInvoice = t.runner.outbox().filter((e) => e.kind === DELIVERY_INVOICE_EVENT);
    expect(toInvoice.map((e) => e.payload.event)).toEqual([
      { type: 'DELIVERY_ACCEPTED', channel: 'whatsapp' },
      { type: 'DELIVERY_FAILED', reason: 'status:131026' },
    ]);
  });
});

describe('delivery policy: the WhatsApp status feed', () => {
  it('passes a sent status over without even looking up its delivery', async () => {
    const t = newDeliveryPolicyTest();
    t.messages.findDeliveryIdOfOutbound.mockImplementation(notCalled('findDeliveryIdOfOutbound'));

    await t.statuses.handle(status('sent'));

    expect(t.runner.sends).toEqual([]);
  });

  it('ignores a status for a message that belongs to no delivery', async () => {
    const t = newDeliveryPolicyTest();
    t.messages.findDeliveryIdOfOutbound.mockResolvedValue(null);

    await t.statuses.handle(status('failed'));

    expect(t.runner.sends).toEqual([]);
  });

  it('tells the machine each status of a message once (keyed by wamid and status)', async () => {
    const t = newDeliveryPolicyTest();
    await t.service.enqueue(t.tx, payload(), { key: 'k' });
    await whatsappAccepted(t);

    await t.statuses.handle(status('delivered'));
    await t.statuses.handle(status('delivered'));

    const fromWebhook = t.runner.sends.filter((s) => s.options.source === 'webhook:whatsapp');
    expect(fromWebhook.map((s) => s.options.dedupeKey)).toEqual([
      `${WAMID}:delivered`,
      `${WAMID}:delivered`,
    ]);
    expect(fromWebhook.map((s) => s.event)).toEqual([
      { type: 'DELIVERED', status: 'delivered' },
      { type: 'DELIVERED', status: 'delivered' },
    ]);
    expect(t.runner.effectsOf('cancelTimer')).toHaveLength(1);
  });
});
