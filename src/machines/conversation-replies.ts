import { fieldProblemSay } from '../common/i18n/problem-messages';
import type { FieldProblem } from '../common/i18n/problems';
import {
  say,
  sayReply,
  type SayText,
  sayUnchecked,
  type SayValue,
  type StructuredReply,
} from '../common/messaging/reply';
import {
  type CustomerChoice,
  type Draft,
  FLOW_BUTTONS,
  type FlowAt,
  type FlowStep,
} from './conversation-flow';

/**
 * The guided flow's replies as data (what to say, with which values). Nothing here makes text:
 * the delivery renders each reply in the merchant's language when it leaves.
 */

/** "Mary (0712 345 678)", formatted when rendered. */
export function draftCustomer(draft: Draft): SayValue {
  return { customerWithPhone: { name: draft.name, phone: draft.phone } };
}

/** The question asked on entering a step (READY: the preview with Send / Edit / Cancel). */
export function promptReply(at: FlowAt, draft: Draft): StructuredReply {
  switch (at) {
    case 'customer':
      return sayReply('flow_ask_customer');
    case 'name':
      return sayReply('flow_ask_name', { phone: { phone: draft.phone ?? '' } });
    case 'amount':
      return sayReply('flow_ask_amount', {
        customer: { customer: { name: draft.name, phone: draft.phone ?? '' } },
      });
    case 'description':
      return sayReply('flow_ask_description');
    case 'READY':
      return {
        ...sayReply('flow_preview', {
          customer: draftCustomer(draft),
          amount: { amount: draft.amount ?? 0 },
          description: draft.description ?? '',
        }),
        offer: {
          buttons: [
            { id: FLOW_BUTTONS.send, title: 'btn_send' },
            { id: FLOW_BUTTONS.edit, title: 'btn_edit' },
            { id: FLOW_BUTTONS.cancel, title: 'btn_cancel' },
          ],
        },
      };
  }
}

/** The prompt with a text around it (help, "draft kept"), keeping the prompt's buttons. */
function wrapPrompt(prompt: StructuredReply, key: string, body: SayText): StructuredReply {
  return { ...prompt, key, body };
}

export function helpReply(at: FlowAt, draft: Draft): StructuredReply {
  const prompt = promptReply(at, draft);
  return wrapPrompt(
    prompt,
    'help_flow',
    sayUnchecked('help_flow', { prompt: { text: prompt.body } }),
  );
}

export function draftKeptReply(at: FlowAt, draft: Draft): StructuredReply {
  const prompt = promptReply(at, draft);
  return wrapPrompt(prompt, 'flow_draft_kept', {
    join: [say('flow_draft_kept'), prompt.body],
    with: '\n\n',
  });
}

const REPROMPT_KEYS = {
  customer: 'flow_reprompt_customer',
  name: 'flow_reprompt_name',
  amount: 'flow_reprompt_amount',
  description: 'flow_reprompt_description',
} as const;

/** A bad answer: what was wrong with an example; every third in a row offers to stop. */
export function invalidReply(
  step: FlowStep,
  problem: FieldProblem | null,
  tries: number,
): StructuredReply {
  if (tries > 0 && tries % 3 === 0) {
    return {
      ...sayReply('flow_too_many_tries'),
      offer: {
        buttons: [
          { id: FLOW_BUTTONS.cancel, title: 'btn_cancel' },
          { id: FLOW_BUTTONS.keepGoing, title: 'btn_keep_going' },
        ],
      },
    };
  }
  if (problem === null) return sayReply(REPROMPT_KEYS[step]);
  return { key: `err_${problem.problem}`, body: fieldProblemSay(problem, step) };
}

export function editListReply(): StructuredReply {
  return {
    ...sayReply('flow_edit_prompt'),
    offer: {
      list: {
        button: 'btn_edit_list',
        rows: [
          { id: FLOW_BUTTONS.editCustomer, title: 'row_edit_customer' },
          { id: FLOW_BUTTONS.editAmount, title: 'row_edit_amount' },
          { id: FLOW_BUTTONS.editDescription, title: 'row_edit_description' },
        ],
      },
    },
  };
}

export function replaceAskReply(): StructuredReply {
  return {
    ...sayReply('flow_replace_draft'),
    offer: {
      buttons: [
        { id: FLOW_BUTTONS.replaceYes, title: 'btn_replace' },
        { id: FLOW_BUTTONS.replaceNo, title: 'btn_keep_draft' },
      ],
    },
  };
}

export function ambiguousReply(name: string, choices: CustomerChoice[]): StructuredReply {
  const options: SayText = {
    join: choices.map((c, i) =>
      say('name_option', { index: i + 1, name: c.name ?? '', phone: { maskedPhone: c.phone } }),
    ),
    with: '\n',
  };
  return sayReply('name_ambiguous', { name, options: { text: options } });
}

export interface CreatedInvoice {
  ref: string;
  /** A label as it should read, or the customer's name and number to format. */
  customer: SayValue;
  amount: number;
  description: string;
}

/** The summary after an invoice is created, with Remind / Cancel (keywords on SMS). */
export function invoiceCreatedReply(invoice: CreatedInvoice): StructuredReply {
  return {
    ...sayReply('invoice_created', {
      ref: invoice.ref,
      customer: invoice.customer,
      amount: { amount: invoice.amount },
      description: invoice.description,
    }),
    offer: {
      buttons: [
        { id: `remind:${invoice.ref}`, title: 'btn_remind' },
        { id: `cancel:${invoice.ref}`, title: 'btn_cancel_invoice' },
      ],
    },
    smsHint: say('sms_invoice_actions', { ref: invoice.ref }),
  };
}

export function languageQuestion(): StructuredReply {
  return {
    ...sayReply('register_ask_language'),
    offer: {
      buttons: [
        { id: FLOW_BUTTONS.langEn, title: 'btn_lang_en' },
        { id: FLOW_BUTTONS.langSw, title: 'btn_lang_sw' },
      ],
    },
  };
}
