import type {
  WhatsAppDeliveryStatus,
  WhatsAppInboundContent,
  WhatsAppMessageEvent,
  WhatsAppStatusEvent,
  WhatsAppUnknownEvent,
  WhatsAppWebhookEvent,
} from './whatsapp-events';

type Json = Record<string, unknown>;

const STATUSES: readonly WhatsAppDeliveryStatus[] = ['sent', 'delivered', 'read', 'failed'];
const WA_ID = /^\d{6,15}$/;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const unknown = (reason: string): WhatsAppUnknownEvent => ({ kind: 'unknown', reason });

/**
 * Turns a webhook body into internal events. Pure and total: whatever valid JSON arrives, it
 * answers with events (possibly `unknown` ones) and never throws, because a webhook we refuse is
 * retried by the provider for days.
 *
 * Reads Meta's `entry[].changes[].value` envelope, which 360dialog v2 forwards unchanged, and the
 * bare `{contacts, messages, statuses}` value that 360dialog's older API posted.
 */
export function parseWhatsAppWebhook(body: unknown): WhatsAppWebhookEvent[] {
  try {
    return parseBody(body);
  } catch (err) {
    return [unknown(`parser failure: ${err instanceof Error ? err.message : 'unknown'}`)];
  }
}

function parseBody(body: unknown): WhatsAppWebhookEvent[] {
  if (!isObject(body)) return [unknown('body is not a JSON object')];
  if (body.object === undefined && (Array.isArray(body.messages) || Array.isArray(body.statuses)))
    return parseValue(body);
  if (body.object !== 'whatsapp_business_account')
    return [unknown(`object is ${describe(body.object)}, not whatsapp_business_account`)];
  if (!Array.isArray(body.entry)) return [unknown('entry is not an array')];
  const events: WhatsAppWebhookEvent[] = [];
  for (const entry of body.entry) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) {
      events.push(unknown('entry without a changes array'));
      continue;
    }
    for (const change of entry.changes) {
      if (!isObject(change)) {
        events.push(unknown('change is not an object'));
      } else if (change.field !== 'messages') {
        events.push(unknown(`change field ${describe(change.field)}`));
      } else if (!isObject(change.value)) {
        events.push(unknown('change without a value object'));
      } else {
        events.push(...parseValue(change.value));
      }
    }
  }
  return events.length > 0 ? events : [unknown('no entries')];
}

function parseValue(value: Json): WhatsAppWebhookEvent[] {
  const events: WhatsAppWebhookEvent[] = [];
  const names = profileNames(value.contacts);
  if (Array.isArray(value.messages))
    for (const m of value.messages) events.push(parseMessage(m, names));
  if (Array.isArray(value.statuses)) for (const s of value.statuses) events.push(parseStatus(s));
  if (Array.isArray(value.errors) && events.length === 0)
    events.push(unknown('value carries only errors'));
  return events.length > 0 ? events : [unknown('value without messages or statuses')];
}

function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  if (!Array.isArray(contacts)) return names;
  for (const c of contacts) {
    if (!isObject(c)) continue;
    const waId = str(c.wa_id);
    const name = isObject(c.profile) ? str(c.profile.name) : undefined;
    if (waId && name) names.set(waId, name);
  }
  return names;
}

function parseMessage(m: unknown, names: Map<string, string>): WhatsAppWebhookEvent {
  if (!isObject(m)) return unknown('message is not an object');
  const id = str(m.id);
  const from = str(m.from);
  const timestamp = parseTimestamp(m.timestamp);
  const type = str(m.type);
  if (!id) return unknown('message without an id');
  if (!from || !WA_ID.test(from)) return unknown('message without a valid from');
  if (!timestamp) return unknown('message without a valid timestamp');
  if (!type) return unknown('message without a type');
  const message = parseContent(type, m);
  if (!message) return unknown(`message of type ${type} without its ${type} object`);
  const event: WhatsAppMessageEvent = { kind: 'message', id, from: `+${from}`, timestamp, message };
  const profileName = names.get(from);
  if (profileName) event.profileName = profileName;
  const contextId = isObject(m.context) ? str(m.context.id) : undefined;
  if (contextId) event.contextMessageId = contextId;
  return event;
}

function parseContent(type: string, m: Json): WhatsAppInboundContent | undefined {
  switch (type) {
    case 'text': {
      const text = isObject(m.text) && typeof m.text.body === 'string' ? m.text.body : undefined;
      return text === undefined ? undefined : { type: 'text', text };
    }
    case 'interactive': {
      if (!isObject(m.interactive)) return undefined;
      const kind = str(m.interactive.type);
      const reply = kind ? m.interactive[kind] : undefined;
      if ((kind === 'button_reply' || kind === 'list_reply') && isObject(reply)) {
        const id = str(reply.id);
        if (!id) return undefined;
        return { type: kind, id, title: typeof reply.title === 'string' ? reply.title : '' };
      }
      return { type: 'unsupported', originalType: `interactive:${kind ?? 'unknown'}` };
    }
    case 'button': {
      if (!isObject(m.button)) return undefined;
      const payload = str(m.button.payload);
      if (!payload) return undefined;
      const text = typeof m.button.text === 'string' ? m.button.text : '';
      return { type: 'template_button', payload, text };
    }
    default:
      return { type: 'unsupported', originalType: type };
  }
}

function parseStatus(s: unknown): WhatsAppWebhookEvent {
  if (!isObject(s)) return unknown('status is not an object');
  const id = str(s.id);
  const status = str(s.status);
  const timestamp = parseTimestamp(s.timestamp);
  const recipient = str(s.recipient_id);
  if (!id) return unknown('status without an id');
  if (!status || !(STATUSES as readonly string[]).includes(status))
    return unknown(`status ${describe(s.status)}`);
  if (!timestamp) return unknown('status without a valid timestamp');
  if (!recipient || !WA_ID.test(recipient)) return unknown('status without a valid recipient_id');
  const event: WhatsAppStatusEvent = {
    kind: 'status',
    id,
    status: status as WhatsAppDeliveryStatus,
    timestamp,
    recipient: `+${recipient}`,
  };
  if (Array.isArray(s.errors)) {
    const errors = s.errors.filter(isObject).flatMap((e) => {
      const code = typeof e.code === 'number' ? e.code : Number(e.code);
      if (!Number.isInteger(code)) return [];
      const title = str(e.title) ?? str(e.message) ?? '';
      return [{ code, title }];
    });
    if (errors.length > 0) event.errors = errors;
  }
  return event;
}

/** Unix seconds, as a string (Meta) or a number. */
function parseTimestamp(v: unknown): Date | undefined {
  const seconds = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  return v === undefined ? 'missing' : typeof v;
}
