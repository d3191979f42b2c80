/** The guided invoice flow's model: the draft, its steps and the ids of what it offers. Pure. */

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
