/**
 * The message templates the simulated WhatsApp account has "approved". The app's template
 * configuration must use these names, languages, parameter orders and button indexes: the
 * simulator answers anything else as Meta would (132001 unknown template or language, 132000
 * wrong parameter count). Production templates must be submitted to Meta with the same shape.
 */
export interface ApprovedTemplate {
  category: 'UTILITY';
  /** What each body parameter {{1}}, {{2}}… holds, in order. */
  parameters: readonly string[];
  /** Body text per language code, with {{n}} placeholders. */
  body: Readonly<Record<string, string>>;
  /** Quick-reply button titles per language code, by index. */
  quickReplies: Readonly<Record<string, readonly string[]>>;
}

export const WHATSAPP_TEMPLATES = {
  invoice_new: {
    category: 'UTILITY',
    parameters: ['customer_name', 'merchant_name', 'amount', 'invoice_ref'],
    body: {
      en: 'Hello {{1}}, {{2}} has sent you an invoice for {{3}} (ref {{4}}). Tap below to pay with M-PESA.',
      sw: 'Habari {{1}}, {{2}} amekutumia ankara ya {{3}} (kumb. {{4}}). Bonyeza hapa chini kulipa kwa M-PESA.',
    },
    quickReplies: { en: ['Pay with M-PESA'], sw: ['Lipa kwa M-PESA'] },
  },
  invoice_reminder: {
    category: 'UTILITY',
    parameters: ['customer_name', 'amount', 'invoice_ref'],
    body: {
      en: 'Hello {{1}}, a reminder that {{2}} is still due on invoice {{3}}.',
      sw: 'Habari {{1}}, tunakukumbusha kuwa {{2}} bado inadaiwa kwenye ankara {{3}}.',
    },
    quickReplies: { en: ['Pay with M-PESA'], sw: ['Lipa kwa M-PESA'] },
  },
  payment_receipt: {
    category: 'UTILITY',
    parameters: ['amount', 'invoice_ref', 'mpesa_receipt'],
    body: {
      en: 'Payment received: {{1}} for invoice {{2}}. M-PESA receipt {{3}}. Thank you!',
      sw: 'Malipo yamepokelewa: {{1}} kwa ankara {{2}}. Risiti ya M-PESA {{3}}. Asante!',
    },
    quickReplies: { en: [], sw: [] },
  },
} as const satisfies Record<string, ApprovedTemplate>;

export type WhatsAppTemplateName = keyof typeof WHATSAPP_TEMPLATES;

export function findTemplate(name: string): ApprovedTemplate | undefined {
  return Object.prototype.hasOwnProperty.call(WHATSAPP_TEMPLATES, name)
    ? WHATSAPP_TEMPLATES[name as WhatsAppTemplateName]
    : undefined;
}

/** The text a recipient would see, for transcripts. */
export function renderTemplateBody(body: string, params: readonly string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => params[Number(n) - 1] ?? whole);
}
