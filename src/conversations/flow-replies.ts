import type { Locale } from '../config/app-config';
import type { FieldProblem } from './command-parser.types';
import { type BotReply, buttonsReply, listReply, textReply } from './bot-reply';
import { interpolate, t } from '../common/i18n/catalogue';
import { customerLabel, formatAmount, formatPhone, maskPhoneForList } from '../common/i18n/format';
import { fieldProblemReply } from '../common/i18n/problem-messages';

/** The fields of an invoice being put together in the guided flow. */
export interface Draft {
  phone: string | null;
  name: string | null;
  /** The phone belongs to a customer the merchant already has: no name question. */
  saved: boolean;
  /** The name question was answered (possibly with "skip"). */
  nameAsked: boolean;
  amount: number | null;
  description: string | null;
  /** A name typed that matched nobody: kept for the number that follows. */
  hint: string | null;
}

export const EMPTY_DRAFT: Draft = {
  phone: null,
  name: null,
  saved: false,
  nameAsked: false,
  amount: null,
  description: null,
  hint: null,
};

export type FlowStep = 'customer' | 'name' | 'amount' | 'description';
export type FlowAt = FlowStep | 'READY';

export interface CustomerChoice {
  phone: string;
  name: string | null;
}

/** Button and list-row ids the flow offers; the glue turns taps (and SMS digits) back into events. */
export const FLOW_BUTTONS = {
  send: 'flow:send',
  edit: 'flow:edit',
  cancel: 'flow:cancel',
  keepGoing: 'flow:keep',
  replaceYes: 'replace:yes',
  replaceNo: 'replace:no',
  editCustomer: 'edit:customer',
  editAmount: 'edit:amount',
  editDescription: 'edit:description',
  langEn: 'lang:en',
  langSw: 'lang:sw',
} as const;

/** The first field still missing: where the flow goes after each answer. */
export function nextStep(draft: Draft): FlowAt {
  if (draft.phone === null) return 'customer';
  if (!draft.saved && !draft.nameAsked && draft.name === null) return 'name';
  if (draft.amount === null) return 'amount';
  if (draft.description === null) return 'description';
  return 'READY';
}

export function draftCustomerLabel(draft: Draft): string {
  if (draft.phone === null) return draft.name ?? '';
  return draft.name ? `${draft.name} (${formatPhone(draft.phone)})` : formatPhone(draft.phone);
}

/** The question asked on entering a step (READY: the preview with Send / Edit / Cancel). */
export function promptReply(locale: Locale, at: FlowAt, draft: Draft): BotReply {
  switch (at) {
    case 'customer':
      return textReply('flow_ask_customer', t(locale, 'flow_ask_customer'));
    case 'name':
      return textReply(
        'flow_ask_name',
        t(locale, 'flow_ask_name', { phone: formatPhone(draft.phone ?? '') }),
      );
    case 'amount':
      return textReply(
        'flow_ask_amount',
        t(locale, 'flow_ask_amount', {
          customer: customerLabel(draft.name, draft.phone ?? ''),
        }),
      );
    case 'description':
      return textReply('flow_ask_description', t(locale, 'flow_ask_description'));
    case 'READY':
      return buttonsReply(
        locale,
        'flow_preview',
        t(locale, 'flow_preview', {
          customer: draftCustomerLabel(draft),
          amount: formatAmount(draft.amount ?? 0),
          description: draft.description ?? '',
        }),
        [
          { id: FLOW_BUTTONS.send, title: t(locale, 'btn_send') },
          { id: FLOW_BUTTONS.edit, title: t(locale, 'btn_edit') },
          { id: FLOW_BUTTONS.cancel, title: t(locale, 'btn_cancel') },
        ],
      );
  }
}

/** A reply whose body is prefixed (help, "draft kept"), keeping the prompt's buttons. */
export function wrapReply(reply: BotReply, key: string, body: string): BotReply {
  const content = { ...reply.content, body } as BotReply['content'];
  const smsText =
    reply.smsText === undefined
      ? undefined
      : [body, ...reply.smsText.split('\n').slice(bodyLines(reply))].join('\n');
  return { ...reply, key, content, ...(smsText === undefined ? {} : { smsText }) };
}

function bodyLines(reply: BotReply): number {
  return 'body' in reply.content ? reply.content.body.split('\n').length : 0;
}

export function helpReply(locale: Locale, at: FlowAt, draft: Draft): BotReply {
  const prompt = promptReply(locale, at, draft);
  const body = 'body' in prompt.content ? prompt.content.body : '';
  return wrapReply(prompt, 'help_flow', interpolate(t(locale, 'help_flow'), { prompt: body }));
}

export function draftKeptReply(locale: Locale, at: FlowAt, draft: Draft): BotReply {
  const prompt = promptReply(locale, at, draft);
  const body = 'body' in prompt.content ? prompt.content.body : '';
  return wrapReply(prompt, 'flow_draft_kept', `${t(locale, 'flow_draft_kept')}\n\n${body}`);
}

const REPROMPT_KEYS = {
  customer: 'flow_reprompt_customer',
  name: 'flow_reprompt_name',
  amount: 'flow_reprompt_amount',
  description: 'flow_reprompt_description',
} as const;

/** A bad answer: what was wrong with an example; every third in a row offers to stop. */
export function invalidReply(
  locale: Locale,
  step: FlowStep,
  problem: FieldProblem | null,
  tries: number,
): BotReply {
  if (tries > 0 && tries % 3 === 0) {
    return buttonsReply(locale, 'flow_too_many_tries', t(locale, 'flow_too_many_tries'), [
      { id: FLOW_BUTTONS.cancel, title: t(locale, 'btn_cancel') },
      { id: FLOW_BUTTONS.keepGoing, title: t(locale, 'btn_keep_going') },
    ]);
  }
  if (problem === null) return textReply(REPROMPT_KEYS[step], t(locale, REPROMPT_KEYS[step]));
  return textReply(`err_${problem.problem}`, fieldProblemReply(locale, problem, step));
}

export function editListReply(locale: Locale): BotReply {
  return listReply(
    locale,
    'flow_edit_prompt',
    t(locale, 'flow_edit_prompt'),
    t(locale, 'btn_edit_list'),
    [
      { id: FLOW_BUTTONS.editCustomer, title: t(locale, 'row_edit_customer') },
      { id: FLOW_BUTTONS.editAmount, title: t(locale, 'row_edit_amount') },
      { id: FLOW_BUTTONS.editDescription, title: t(locale, 'row_edit_description') },
    ],
  );
}

export function replaceAskReply(locale: Locale): BotReply {
  return buttonsReply(locale, 'flow_replace_draft', t(locale, 'flow_replace_draft'), [
    { id: FLOW_BUTTONS.replaceYes, title: t(locale, 'btn_replace') },
    { id: FLOW_BUTTONS.replaceNo, title: t(locale, 'btn_keep_draft') },
  ]);
}

export function ambiguousReply(locale: Locale, name: string, choices: CustomerChoice[]): BotReply {
  const options = choices
    .map((c, i) =>
      t(locale, 'name_option', {
        index: i + 1,
        name: c.name ?? '',
        phone: maskPhoneForList(c.phone),
      }),
    )
    .join('\n');
  return textReply('name_ambiguous', t(locale, 'name_ambiguous', { name, options }));
}

export interface CreatedInvoice {
  ref: string;
  customer: string;
  amount: number;
  description: string;
}

/** The summary after an invoice is created, with Remind / Cancel (keywords on SMS). */
export function invoiceCreatedReply(locale: Locale, invoice: CreatedInvoice): BotReply {
  return buttonsReply(
    locale,
    'invoice_created',
    t(locale, 'invoice_created', {
      ref: invoice.ref,
      customer: invoice.customer,
      amount: formatAmount(invoice.amount),
      description: invoice.description,
    }),
    [
      { id: `remind:${invoice.ref}`, title: t(locale, 'btn_remind') },
      { id: `cancel:${invoice.ref}`, title: t(locale, 'btn_cancel_invoice') },
    ],
    t(locale, 'sms_invoice_actions', { ref: invoice.ref }),
  );
}

export function languageQuestion(locale: Locale): BotReply {
  return buttonsReply(locale, 'register_ask_language', t(locale, 'register_ask_language'), [
    { id: FLOW_BUTTONS.langEn, title: t(locale, 'btn_lang_en') },
    { id: FLOW_BUTTONS.langSw, title: t(locale, 'btn_lang_sw') },
  ]);
}
