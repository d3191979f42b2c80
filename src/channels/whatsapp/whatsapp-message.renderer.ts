import type { MessageContent } from '../../common/messaging/channel.port';

/** Meta's documented limits; checked here so a bad message never costs an API call. */
export const WHATSAPP_LIMITS = {
  textBody: 4096,
  interactiveBody: 1024,
  listBody: 4096,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButtonText: 20,
  listRows: 10,
  rowTitle: 24,
  rowId: 200,
  rowDescription: 72,
  ctaDisplayText: 20,
  caption: 1024,
  filename: 240,
} as const;

export interface WhatsAppSendPayload {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'text' | 'interactive' | 'template' | 'document';
  [typeKey: string]: unknown;
}

export type RenderResult =
  { ok: true; payload: WhatsAppSendPayload } | { ok: false; problem: string };

/** Meta rejects template parameters with line breaks, tabs or more than 4 spaces in a row (132018). */
const BAD_TEMPLATE_PARAM = /[\n\t]| {5,}/;
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const RECIPIENT = /^\d{8,15}$/;

class Problems {
  readonly list: string[] = [];
  length(label: string, value: string, max: number, min = 1): void {
    const n = [...value].length;
    if (n < min) this.list.push(`${label} is empty`);
    else if (n > max) this.list.push(`${label} is ${n} characters (max ${max})`);
  }
  check(ok: boolean, problem: string): void {
    if (!ok) this.list.push(problem);
  }
}

/**
 * Puts channel-neutral content on WhatsApp's wire (PROTOCOLS.md §2), or says why it cannot.
 * `to` is the WhatsApp id: digits only, 254….
 */
export function renderWhatsAppMessage(to: string, content: MessageContent): RenderResult {
  const p = new Problems();
  p.check(RECIPIENT.test(to), 'recipient is not a WhatsApp id (digits only, with country code)');
  const body = renderBody(content, p);
  if (p.list.length > 0) return { ok: false, problem: p.list.join('; ') };
  return {
    ok: true,
    payload: { messaging_product: 'whatsapp', recipient_type: 'individual', to, ...body },
  };
}

function renderBody(
  content: MessageContent,
  p: Problems,
): { type: WhatsAppSendPayload['type'] } & Record<string, unknown> {
  switch (content.type) {
    case 'text':
      p.length('text body', content.body, WHATSAPP_LIMITS.textBody);
      return { type: 'text', text: { preview_url: false, body: content.body } };
    case 'buttons': {
      p.length('body', content.body, WHATSAPP_LIMITS.interactiveBody);
      footer(content.footer, p);
      const n = content.buttons.length;
      p.check(n >= 1 && n <= WHATSAPP_LIMITS.buttons, `${n} buttons (1 to 3 allowed)`);
      content.buttons.forEach((b, i) => {
        p.length(`button ${i + 1} title`, b.title, WHATSAPP_LIMITS.buttonTitle);
        p.length(`button ${i + 1} id`, b.id, WHATSAPP_LIMITS.buttonId);
      });
      unique(
        content.buttons.map((b) => b.title),
        'button titles',
        p,
      );
      unique(
        content.buttons.map((b) => b.id),
        'button ids',
        p,
      );
      return {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: content.body },
          ...(content.footer ? { footer: { text: content.footer } } : {}),
          action: {
            buttons: content.buttons.map((b) => ({
              type: 'reply',
              reply: { id: b.id, title: b.title },
            })),
          },
        },
      };
    }
    case 'list': {
      p.length('body', content.body, WHATSAPP_LIMITS.listBody);
      p.length('list button text', content.buttonText, WHATSAPP_LIMITS.listButtonText);
      const n = content.rows.length;
      p.check(n >= 1 && n <= WHATSAPP_LIMITS.listRows, `${n} list rows (1 to 10 allowed)`);
      content.rows.forEach((r, i) => {
        p.length(`row ${i + 1} title`, r.title, WHATSAPP_LIMITS.rowTitle);
        p.length(`row ${i + 1} id`, r.id, WHATSAPP_LIMITS.rowId);
        if (r.description !== undefined)
          p.length(`row ${i + 1} description`, r.description, WHATSAPP_LIMITS.rowDescription);
      });
      unique(
        content.rows.map((r) => r.id),
        'row ids',
        p,
      );
      return {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: content.body },
          action: {
            button: content.buttonText,
            sections: [
              {
                rows: content.rows.map((r) => ({
                  id: r.id,
                  title: r.title,
                  ...(r.description ? { description: r.description } : {}),
                })),
              },
            ],
          },
        },
      };
    }
    case 'cta':
      p.length('body', content.body, WHATSAPP_LIMITS.interactiveBody);
      footer(content.footer, p);
      p.length('CTA display text', content.displayText, WHATSAPP_LIMITS.ctaDisplayText);
      p.check(isHttpUrl(content.url), 'CTA url is not an http(s) URL');
      return {
        type: 'interactive',
        interactive: {
          type: 'cta_url',
          body: { text: content.body },
          ...(content.footer ? { footer: { text: content.footer } } : {}),
          action: {
            name: 'cta_url',
            parameters: { display_text: content.displayText, url: content.url },
          },
        },
      };
    case 'template': {
      p.check(TEMPLATE_NAME.test(content.name), 'template name must be lowercase a-z, 0-9, _');
      p.check(LANGUAGE_CODE.test(content.language), 'template language is not a language code');
      content.bodyParameters.forEach((v, i) => {
        p.check(v.trim().length > 0, `template parameter ${i + 1} is empty`);
        p.check(
          !BAD_TEMPLATE_PARAM.test(v),
          `template parameter ${i + 1} has a line break, a tab or more than 4 spaces in a row`,
        );
      });
      const payloads = content.quickReplyPayloads ?? [];
      payloads.forEach((v, i) => p.length(`quick-reply payload ${i + 1}`, v, 256));
      const components: unknown[] = [];
      if (content.bodyParameters.length > 0)
        components.push({
          type: 'body',
          parameters: content.bodyParameters.map((text) => ({ type: 'text', text })),
        });
      payloads.forEach((payload, index) =>
        components.push({
          type: 'button',
          sub_type: 'quick_reply',
          index: String(index),
          parameters: [{ type: 'payload', payload }],
        }),
      );
      return {
        type: 'template',
        template: {
          name: content.name,
          language: { code: content.language },
          ...(components.length > 0 ? { components } : {}),
        },
      };
    }
    case 'document':
      p.check(isHttpUrl(content.link), 'document link is not an http(s) URL');
      p.length('document filename', content.filename, WHATSAPP_LIMITS.filename);
      if (content.caption !== undefined)
        p.length('document caption', content.caption, WHATSAPP_LIMITS.caption);
      return {
        type: 'document',
        document: {
          link: content.link,
          filename: content.filename,
          ...(content.caption ? { caption: content.caption } : {}),
        },
      };
  }
}

function footer(text: string | undefined, p: Problems): void {
  if (text !== undefined) p.length('footer', text, WHATSAPP_LIMITS.footer);
}

function unique(values: string[], label: string, p: Problems): void {
  p.check(new Set(values).size === values.length, `${label} are not unique`);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
