import type { MessageContent } from '../../common/messaging/channel.port';

/**
 * SMS carries only text, so every content kind becomes plain lines. Interactive kinds turn
 * into "Reply <n> for <title>" lines: mapping a reply "1" back to the button id is the bot's
 * job (it knows what it offered). Footers are kept (they often carry opt-out wording).
 * A WhatsApp template (its text lives at Meta) becomes its parameters, one per line:
 * readable, if terse; the delivery renderers give their own SMS text instead. Callers that care about cost should send `text` content sized with gsm7.ts.
 */
export function renderSms(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body.trim();
    case 'buttons':
      return lines(
        content.body,
        ...content.buttons.map((b, i) => `Reply ${i + 1} for ${b.title}`),
        content.footer,
      );
    case 'list':
      return lines(
        content.body,
        ...content.rows.map(
          (r, i) => `Reply ${i + 1} for ${r.title}${r.description ? ` (${r.description})` : ''}`,
        ),
      );
    case 'cta':
      return lines(content.body, `${content.displayText}: ${content.url}`, content.footer);
    case 'template':
      return lines(...content.bodyParameters).trim();
    case 'document':
      return lines(content.caption ?? content.filename, content.link);
  }
}

function lines(...parts: (string | undefined)[]): string {
  return parts
    .map((p) => p?.trim())
    .filter((p): p is string => !!p)
    .join('\n');
}
