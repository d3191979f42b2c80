import { type MetaError, metaErrors } from './meta-error';
import { findTemplate, renderTemplateBody } from './template-registry';

/** A send request the simulated API would accept. */
export interface AcceptedRequest {
  /** Recipient wa_id, digits only. */
  to: string;
  /** `to` as the caller wrote it (echoed in contacts[].input). */
  input: string;
  type: string;
  /** `text`, `interactive:button`, `template`…: for transcripts. */
  kind: string;
  /** The type object as sent (e.g. the `interactive` object). */
  content: unknown;
  /** Templates may open a conversation; everything else needs the 24-hour window. */
  isTemplate: boolean;
  /** What the recipient would read. */
  preview: string;
}

export type ValidationResult =
  { ok: true; request: AcceptedRequest } | { ok: false; error: MetaError };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const chars = (s: string): number => [...s].length;

class Refusal extends Error {
  constructor(readonly error: MetaError) {
    super(error.title);
  }
}
const missing = (what: string): never => {
  throw new Refusal(metaErrors.invalidParameter(`Param ${what} is required`));
};
const invalid = (details: string): never => {
  throw new Refusal(metaErrors.parameterValue(details));
};

function text(v: unknown, what: string, max: number, code: 'param' | 'value' = 'value'): string {
  if (typeof v !== 'string' || v.length === 0) return missing(what);
  if (chars(v) > max) {
    const details = `Param ${what} must be at most ${max} characters long`;
    throw new Refusal(
      code === 'param' ? metaErrors.invalidParameter(details) : metaErrors.parameterValue(details),
    );
  }
  return v;
}

function httpUrl(v: unknown, what: string): string {
  if (typeof v !== 'string') return missing(what);
  try {
    const url = new URL(v);
    if (url.protocol === 'http:' || url.protocol === 'https:') return v;
  } catch {
    // falls through to the refusal
  }
  return invalid(`Param ${what} is not a valid URL`);
}

const SENDABLE_TYPES = [
  'text',
  'interactive',
  'template',
  'document',
  'image',
  'audio',
  'video',
  'sticker',
  'location',
  'contacts',
  'reaction',
];

/**
 * What the Cloud API checks in a send request before accepting it: the envelope (100), the
 * content limits (131009), templates against the approved registry (132001, 132000, 132018).
 * Recipient state (window, registration) and throughput are the caller's business.
 */
export function validateSendRequest(body: unknown): ValidationResult {
  try {
    return { ok: true, request: validate(body) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: err.error };
    throw err;
  }
}

function validate(body: unknown): AcceptedRequest {
  if (!isObject(body)) return missing('messaging_product');
  if (body.messaging_product !== 'whatsapp')
    throw new Refusal(
      metaErrors.invalidParameter(
        'The parameter messaging_product is required and must be whatsapp',
      ),
    );
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual')
    throw new Refusal(metaErrors.invalidParameter('Param recipient_type must be individual'));
  if (typeof body.to !== 'string' || !/^\+?\d{8,15}$/.test(body.to.trim()))
    throw new Refusal(
      metaErrors.invalidParameter('Param to must be a phone number with country code'),
    );
  const to = body.to.trim().replace(/^\+/, '');
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !SENDABLE_TYPES.includes(type))
    throw new Refusal(metaErrors.invalidParameter(`Param type is not a valid message type`));
  const content = body[type];
  if (!isObject(content)) return missing(type);
  const rendered = renderType(type, content);
  return { to, input: body.to, type, content, isTemplate: type === 'template', ...rendered };
}

function renderType(type: string, c: Json): { kind: string; preview: string } {
  switch (type) {
    case 'text':
      if (c.preview_url !== undefined && typeof c.preview_url !== 'boolean')
        throw new Refusal(metaErrors.invalidParameter('Param text.preview_url must be a boolean'));
      return { kind: 'text', preview: text(c.body, "text['body']", 4096, 'param') };
    case 'interactive':
      return interactive(c);
    case 'template':
      return template(c);
    case 'document':
    case 'image': {
      if (c.link === undefined && c.id === undefined) return missing(`${type}.link or ${type}.id`);
      if (c.link !== undefined) httpUrl(c.link, `${type}.link`);
      const caption = c.caption === undefined ? '' : text(c.caption, `${type}.caption`, 1024);
      const filename =
        type === 'document' && c.filename !== undefined
          ? text(c.filename, 'document.filename', 240)
          : type;
      return { kind: type, preview: `[${filename}]${caption ? ` ${caption}` : ''}` };
    }
    default:
      return { kind: type, preview: `[${type}]` };
  }
}

function interactive(c: Json): { kind: string; preview: string } {
  const kind = c.type;
  if (!isObject(c.body)) return missing('interactive.body');
  const footer = isObject(c.footer)
    ? text(c.footer.text, 'interactive.footer.text', 60)
    : undefined;
  if (isObject(c.header) && c.header.type === 'text')
    text(c.header.text, 'interactive.header.text', 60);
  if (!isObject(c.action)) return missing('interactive.action');
  const action = c.action;
  const tail = footer ? `\n${footer}` : '';
  switch (kind) {
    case 'button': {
      const body = text(c.body.text, 'interactive.body.text', 1024);
      const buttons = action.buttons;
      if (!Array.isArray(buttons)) return missing('interactive.action.buttons');
      if (buttons.length < 1 || buttons.length > 3)
        invalid(`Number of buttons must be between 1 and 3 (got ${buttons.length})`);
      const titles = buttons.map((b: unknown, i) => {
        if (!isObject(b) || b.type !== 'reply' || !isObject(b.reply))
          return missing(`interactive.action.buttons[${i}].reply`);
        text(b.reply.id, `buttons[${i}].reply.id`, 256);
        return text(b.reply.title, `buttons[${i}].reply.title`, 20);
      });
      if (new Set(titles).size !== titles.length) invalid('Button titles must be unique');
      const ids = buttons.map((b: Json) => (b.reply as Json).id);
      if (new Set(ids).size !== ids.length) invalid('Button ids must be unique');
      return {
        kind: 'interactive:button',
        preview: `${body}${tail}\n${titles.map((t) => `[${t}]`).join(' ')}`,
      };
    }
    case 'list': {
      const body = text(c.body.text, 'interactive.body.text', 4096);
      const button = text(action.button, 'interactive.action.button', 20);
      const sections = action.sections;
      if (!Array.isArray(sections) || sections.length === 0)
        return missing('interactive.action.sections');
      if (sections.length > 10) invalid('Number of sections must be at most 10');
      let total = 0;
      const ids: unknown[] = [];
      sections.forEach((s: unknown, i) => {
        if (!isObject(s) || !Array.isArray(s.rows) || s.rows.length === 0)
          return missing(`sections[${i}].rows`);
        if (sections.length > 1 || s.title !== undefined) text(s.title, `sections[${i}].title`, 24);
        s.rows.forEach((r: unknown, j) => {
          if (!isObject(r)) return missing(`sections[${i}].rows[${j}]`);
          ids.push(text(r.id, `rows[${j}].id`, 200));
          text(r.title, `rows[${j}].title`, 24);
          if (r.description !== undefined) text(r.description, `rows[${j}].description`, 72);
        });
        total += s.rows.length;
      });
      if (total > 10) invalid(`Total row count exceed max allowed count: 10 (got ${total})`);
      if (new Set(ids).size !== ids.length) invalid('Row ids must be unique');
      return { kind: 'interactive:list', preview: `${body}${tail}\n[${button} ☰]` };
    }
    case 'cta_url': {
      const body = text(c.body.text, 'interactive.body.text', 1024);
      if (action.name !== 'cta_url' || !isObject(action.parameters))
        return missing('interactive.action.parameters');
      const display = text(action.parameters.display_text, 'display_text', 20);
      const url = httpUrl(action.parameters.url, 'url');
      return { kind: 'interactive:cta_url', preview: `${body}${tail}\n[${display} → ${url}]` };
    }
    default:
      throw new Refusal(metaErrors.invalidParameter('Param interactive.type is not valid'));
  }
}

const BAD_PARAM = /[\n\t]| {5,}/;

function template(c: Json): { kind: string; preview: string } {
  const name = typeof c.name === 'string' ? c.name : missing('template.name');
  const code = isObject(c.language) && typeof c.language.code === 'string' ? c.language.code : '';
  if (!code) return missing('template.language.code');
  const approved = findTemplate(name);
  const body = approved?.body[code];
  if (!approved || body === undefined)
    throw new Refusal(
      metaErrors.templateMissing(`template name (${name.slice(0, 60)}) does not exist in ${code}`),
    );
  const components = c.components === undefined ? [] : c.components;
  if (!Array.isArray(components)) return missing('template.components');
  let params: string[] = [];
  const payloads: string[] = [];
  const replies = approved.quickReplies[code] ?? [];
  for (const comp of components) {
    if (!isObject(comp)) return missing('template.components[]');
    if (comp.type === 'body') {
      if (!Array.isArray(comp.parameters)) return missing('components.body.parameters');
      params = comp.parameters.map((p: unknown, i) => {
        if (!isObject(p) || p.type !== 'text' || typeof p.text !== 'string' || p.text === '')
          return missing(`body.parameters[${i}].text`);
        if (BAD_PARAM.test(p.text))
          throw new Refusal(
            metaErrors.templateParamFormat(
              'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
            ),
          );
        return p.text;
      });
    } else if (comp.type === 'button') {
      const index = Number(comp.index);
      if (
        comp.sub_type !== 'quick_reply' ||
        !Number.isInteger(index) ||
        index < 0 ||
        index >= replies.length
      )
        invalid(
          `Button at index ${String(comp.index)} of type ${String(comp.sub_type)} does not exist`,
        );
      const p = Array.isArray(comp.parameters) ? (comp.parameters[0] as unknown) : undefined;
      if (p !== undefined) {
        if (!isObject(p) || p.type !== 'payload' || typeof p.payload !== 'string')
          return missing('button.parameters[0].payload');
        payloads.push(p.payload);
      }
    } else if (comp.type !== 'header') {
      throw new Refusal(metaErrors.invalidParameter('Param components[].type is not valid'));
    }
  }
  if (params.length !== approved.parameters.length)
    throw new Refusal(
      metaErrors.templateParamCount(
        `body: number of localizable_params (${params.length}) does not match the expected number of params (${approved.parameters.length})`,
      ),
    );
  const buttons = replies.length > 0 ? `\n${replies.map((r) => `[${r}]`).join(' ')}` : '';
  return { kind: 'template', preview: `${renderTemplateBody(body, params)}${buttons}` };
}
