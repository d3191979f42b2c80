import type { Locale } from '../config/app-config';
import { formatKes } from '../common/money';
import { fill, PAY_PAGE_TEXT, type PayPageText } from './pay-page.i18n';

export interface PayPageView {
  token: string;
  locale: Locale;
  merchantName: string;
  ref: string;
  description: string;
  amount: number;
  amountPaid: number;
  balance: number;
  dueDate: string | null;
  state: string;
  /** National form, e.g. 0712 345 678: the customer's own number, prefilled. */
  customerPhone: string;
  allowPartial: boolean;
  /** Id of a payment still waiting for the customer's PIN, if any. */
  pendingPaymentId: string | null;
  hasReceipt: boolean;
  /** Set after a no-JavaScript form post. */
  notice?: { kind: 'info' | 'error'; message: string };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** JSON inside <script type="application/json">: "</" must not close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function layout(locale: Locale, title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
${refreshSeconds ? `<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>` : ''}
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/pay.css">
</head>
<body>
<main>
${body}
<footer>InvoiceIQ · M-PESA</footer>
</main>
</body>
</html>`;
}

function row(label: string, value: string, id?: string, className?: string): string {
  const cls = className ? ` class="${className}"` : '';
  return `<dt${cls}>${escapeHtml(label)}</dt><dd${cls}${id ? ` id="${id}"` : ''}>${escapeHtml(value)}</dd>`;
}

export function renderPayPage(view: PayPageView): string {
  const t: PayPageText = PAY_PAGE_TEXT[view.locale];
  const other: Locale = view.locale === 'en' ? 'sw' : 'en';
  const closed = view.state === 'PAID' || view.state === 'CANCELLED' || view.state === 'EXPIRED';
  const details = [
    row(t.amount, formatKes(view.amount)),
    row(t.paid, formatKes(view.amountPaid), 'amount-paid'),
    row(t.balance, formatKes(view.balance), 'balance', 'balance'),
    view.dueDate ? row(t.due, view.dueDate) : '',
  ].join('');

  let action: string;
  if (view.state === 'PAID') {
    action = `<p class="status success" role="status">${escapeHtml(t.isPaid)}</p>`;
  } else if (view.state === 'CANCELLED') {
    action = `<p class="status info" role="status">${escapeHtml(fill(t.isCancelled, { merchant: view.merchantName }))}</p>`;
  } else if (view.state === 'EXPIRED') {
    action = `<p class="status info" role="status">${escapeHtml(fill(t.isExpired, { merchant: view.merchantName }))}</p>`;
  } else {
    const amountField = view.allowPartial
      ? `<label for="amount">${escapeHtml(t.payAmount)}</label>
<input id="amount" name="amount" type="number" inputmode="numeric" min="1" max="${view.balance}" step="1" value="${view.balance}" required aria-describedby="amount-hint">
<p class="hint" id="amount-hint">${escapeHtml(t.payAmountHint)}</p>`
      : '';
    action = `<form id="pay-form" method="post" action="/pay/${view.token}/pay?lang=${view.locale}" novalidate>
<label for="phone">${escapeHtml(t.phone)}</label>
<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" value="${escapeHtml(view.customerPhone)}" required aria-describedby="phone-hint">
<p class="hint" id="phone-hint">${escapeHtml(t.phoneHint)}</p>
${amountField}
<button id="pay-button" type="submit">${escapeHtml(t.pay)}</button>
</form>`;
  }
  const notice = view.notice ? `${escapeHtml(view.notice.message)}` : '';
  const receipt = `<p id="receipt"${view.hasReceipt ? '' : ' hidden'}><a href="/pay/${view.token}/receipt.pdf">${escapeHtml(t.receipt)}</a></p>`;
  const body = `<div id="pay" class="card" data-token="${view.token}" data-lang="${view.locale}"${
    view.pendingPaymentId && !closed ? ` data-pending="${view.pendingPaymentId}"` : ''
  }>
<a class="lang" href="/pay/${view.token}?lang=${other}" hreflang="${other}">${escapeHtml(t.language)}</a>
<h1>${escapeHtml(fill(t.title, { ref: view.ref }))}</h1>
<p class="merchant">${escapeHtml(t.from)} <strong>${escapeHtml(view.merchantName)}</strong><br>${escapeHtml(t.description)}: ${escapeHtml(view.description)}</p>
<dl>${details}</dl>
${action}
<p id="status" class="status${view.notice ? ` ${view.notice.kind}` : ''}" role="status" aria-live="polite">${notice}</p>
${receipt}
</div>
<script type="application/json" id="pay-texts">${scriptJson({ pay: t.pay, tryAgain: t.tryAgain, waiting: t.waiting, sending: t.sending, stillWaiting: t.stillWaiting, busy: t.busy })}</script>
<script src="/assets/pay.js" defer></script>`;
  return layout(
    view.locale,
    fill(t.title, { ref: view.ref }),
    body,
    view.pendingPaymentId && !closed ? 5 : undefined,
  );
}

export function renderNotFoundPage(locale: Locale): string {
  const t = PAY_PAGE_TEXT[locale];
  return layout(
    locale,
    t.notFoundTitle,
    `<div class="card"><h1>${escapeHtml(t.notFoundTitle)}</h1><p>${escapeHtml(t.notFound)}</p></div>`,
  );
}
