import type { Locale } from '../config/app-config';

/** Texts of the pay page. Outcome messages come from the M-PESA result-code catalogue. */
const en = {
  title: 'Pay invoice {ref}',
  from: 'Invoice from',
  description: 'For',
  amount: 'Amount',
  paid: 'Paid',
  balance: 'Balance due',
  due: 'Due',
  phone: 'M-PESA phone number',
  phoneHint: 'The M-PESA prompt goes to this number.',
  payAmount: 'Amount to pay (KES)',
  payAmountHint: 'You can pay part now and the rest later.',
  pay: 'Pay with M-PESA',
  tryAgain: 'Try again',
  waiting: 'Check your phone and enter your M-PESA PIN.',
  sending: 'Sending the M-PESA prompt…',
  stillWaiting: 'Still waiting for M-PESA. If you did not get a prompt, try again in a minute.',
  paidInFull: 'Paid. Thank you! Your M-PESA receipt is {receipt}.',
  paidPart: 'Payment received ({amount}, receipt {receipt}). Balance due: {balance}.',
  isPaid: 'This invoice is paid. Thank you!',
  isCancelled: 'This invoice was cancelled by {merchant}. Nothing is due.',
  isExpired: 'This invoice has expired and can no longer be paid here. Please contact {merchant}.',
  receipt: 'Download receipt (PDF)',
  badPhone: 'Enter a Kenyan mobile number, like 0712 345 678.',
  badAmount: 'Enter a whole amount from 1 to {balance}.',
  refusedPending:
    'A payment is already in progress. Check your phone, or wait a minute and try again.',
  refusedAttempts: 'Too many payment attempts on this invoice. Please contact {merchant}.',
  refusedGeneric: 'This invoice cannot be paid right now.',
  busy: 'Something went wrong on our side. Please try again.',
  notFoundTitle: 'Invoice not found',
  notFound:
    'This payment link is not valid. Check the link in your message, or ask the business to send it again.',
  language: 'Kiswahili',
  tooMany: 'Too many requests. Please wait a minute and try again.',
};

export type PayPageText = typeof en;

const sw: PayPageText = {
  title: 'Lipa ankara {ref}',
  from: 'Ankara kutoka',
  description: 'Kwa ajili ya',
  amount: 'Kiasi',
  paid: 'Kilicholipwa',
  balance: 'Salio la kulipa',
  due: 'Mwisho wa kulipa',
  phone: 'Nambari ya simu ya M-PESA',
  phoneHint: 'Ombi la M-PESA litatumwa kwa nambari hii.',
  payAmount: 'Kiasi cha kulipa (KES)',
  payAmountHint: 'Unaweza kulipa sehemu sasa na iliyobaki baadaye.',
  pay: 'Lipa kwa M-PESA',
  tryAgain: 'Jaribu tena',
  waiting: 'Angalia simu yako na uweke PIN yako ya M-PESA.',
  sending: 'Tunatuma ombi la M-PESA…',
  stillWaiting: 'Bado tunasubiri M-PESA. Kama hujapata ombi, jaribu tena baada ya dakika moja.',
  paidInFull: 'Imelipwa. Asante! Risiti yako ya M-PESA ni {receipt}.',
  paidPart: 'Malipo yamepokelewa ({amount}, risiti {receipt}). Salio la kulipa: {balance}.',
  isPaid: 'Ankara hii imelipwa. Asante!',
  isCancelled: 'Ankara hii imeghairiwa na {merchant}. Hakuna cha kulipa.',
  isExpired:
    'Muda wa ankara hii umeisha, haiwezi kulipwa hapa tena. Tafadhali wasiliana na {merchant}.',
  receipt: 'Pakua risiti (PDF)',
  badPhone: 'Weka nambari ya simu ya Kenya, kama 0712 345 678.',
  badAmount: 'Weka kiasi kamili kati ya 1 na {balance}.',
  refusedPending:
    'Kuna malipo yanayoendelea tayari. Angalia simu yako, au subiri dakika moja ujaribu tena.',
  refusedAttempts:
    'Majaribio ya malipo yamezidi kwa ankara hii. Tafadhali wasiliana na {merchant}.',
  refusedGeneric: 'Ankara hii haiwezi kulipwa kwa sasa.',
  busy: 'Kuna hitilafu upande wetu. Tafadhali jaribu tena.',
  notFoundTitle: 'Ankara haikupatikana',
  notFound:
    'Kiungo hiki cha malipo si sahihi. Angalia kiungo kwenye ujumbe wako, au omba biashara ikutumie tena.',
  language: 'English',
  tooMany: 'Maombi ni mengi mno. Tafadhali subiri dakika moja ujaribu tena.',
};

export const PAY_PAGE_TEXT: Record<Locale, PayPageText> = { en, sw };

export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}
