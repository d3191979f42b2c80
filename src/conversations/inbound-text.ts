import type { InboundMessage } from '../common/messaging/inbound-message.port';

/**
 * The button a message stands for: a tapped button's id, or on SMS a digit answering the
 * numbered options of our last reply ("2" → the second button offered).
 */
export function buttonOf(message: InboundMessage, offered: readonly string[]): string | null {
  if (message.buttonId) return message.buttonId;
  if (message.channel !== 'sms') return null;
  const digit = /^(\d)\s*[.)]?$/.exec((message.text ?? '').trim());
  if (!digit) return null;
  return offered[Number(digit[1]) - 1] ?? null;
}

/** "1", "2." or "#2": the number of an item in a list we sent. */
export function choiceNumber(text: string | undefined): number | null {
  // Trimmed first: `\s*[.)]?\s*$` backtracks quadratically on a long run of spaces.
  const match = /^#?(\d{1,2})\s*[.)]?$/.exec((text ?? '').trim());
  return match ? Number(match[1]) : null;
}
