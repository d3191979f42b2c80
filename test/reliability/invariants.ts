/**
 * The reliability run's verdict, computed from plain facts: what the driver did, what the
 * simulators saw (pushes, prompts paid, messages) and what the app's database says. Pure, so
 * that invariants.spec.ts can show each check failing on a bad fact.
 */

export interface FaultWindow {
  name: string;
  start: number;
  end: number;
}

export interface DrivenFact {
  ref: string;
  amount: number;
  customerMsisdn: string;
  merchantMsisdn: string;
  outcome: string;
}

export interface InvoiceFact {
  ref: string;
  state: string;
  amount: number;
  amountPaid: number;
  /** What the app recorded as paid beyond the amount, to refund (builds that have the column). */
  overpaid?: number;
}

export interface PaymentFact {
  id: string;
  ref: string;
  status: string;
  amount: number;
  checkoutRequestId: string | null;
  initiatedAt: number;
}

export interface PushFact {
  seq: number;
  tag: string;
  /** As the app sent it (the ref without its dash). */
  accountReference: string;
  amount: number;
  outcome: string;
  checkoutRequestId?: string;
  receivedAt: number;
  /** The customer paid the prompt. */
  paid: boolean;
  /** Our HTTP answer (with the CheckoutRequestID) never reached the app. */
  answerLost?: boolean;
  /** At least one callback copy was answered 200 by the app. */
  callbackDelivered?: boolean;
}

export interface MessageFact {
  at: number;
  channel: string;
  to: string;
  template?: string;
  params: string[];
  text: string;
}

export interface DeadRowFact {
  id: string;
  kind: string;
  lastError: string | null;
  diedAt: number;
}

export interface DriftFact {
  issue: string;
  paymentId: string | null;
  checkoutRequestId: string | null;
  detail: string | null;
}

export interface RunFacts {
  driven: DrivenFact[];
  invoices: InvoiceFact[];
  payments: PaymentFact[];
  pushes: PushFact[];
  messages: MessageFact[];
  deadOutbox: DeadRowFact[];
  /** GET /admin/reconciliation items, or the error that prevented reading them. */
  reconciliation: DriftFact[] | { error: string };
  /** Payments still initiating/pending/review at the end. */
  openPayments: PaymentFact[];
  /** STK callbacks the app recorded and never applied. */
  unprocessedCallbacks: { externalId: string; receivedAt: number }[];
  /**
   * Sends the app marked started and never got an answer for (it died mid-send): it does not send
   * them again, so one may not have arrived. Recorded by the app, not guessed by the run.
   */
  unconfirmedSends: { ref: string | null; recipient: string; purpose: string; at: number }[];
  faults: FaultWindow[];
  endedAt: number;
  harness: {
    minInvoices: number;
    minInFlight: number;
    minPushesInFlightAtKill: number;
    maxWallMs: number;
    peakInFlight: number;
    pushesInFlightAtKill: number;
    dbConnectionsCut: number;
    outage500s: number;
    outageHangs: number;
    /** Pushes that got a 500 or no answer in the outage. */
    outagePushes: number;
    callbacksTriple: number;
    callbacksDropped: number;
    callbacksBeforeAnswer: number;
    maskedPhones: number;
    pushesRefusedInvalid: number;
    unexpectedExits: string[];
    wallMs: number;
  };
}

export interface CheckRow {
  id: string;
  check: string;
  figure: string;
  expected: string;
  ok: boolean;
  details: string[];
}

/** "INV-7KQ2MX" and "INV7KQ2MX" are the same invoice. */
export const normaliseRef = (ref: string): string => ref.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

const REF_IN_TEXT = /INV-?[A-Z0-9]{4,12}/;
const RECEIPT_IN_TEXT = /M-PESA receipt:\s*(\S+)/;

export interface ReceiptMessage {
  ref: string;
  party: 'customer' | 'merchant' | 'other';
  receipt: string;
  channel: string;
  at: number;
}

/** Receipt messages: the customer's payment_receipt template, or any text with "M-PESA receipt:". */
export function receiptMessages(facts: RunFacts): ReceiptMessage[] {
  const byRef = new Map(facts.driven.map((d) => [normaliseRef(d.ref), d]));
  const out: ReceiptMessage[] = [];
  for (const m of facts.messages) {
    let refText: string | undefined;
    let receipt: string | undefined;
    if (m.template === 'payment_receipt') {
      refText = m.params.find((p) => REF_IN_TEXT.test(p));
      receipt = m.params[2] ?? '?';
    } else if (RECEIPT_IN_TEXT.test(m.text)) {
      refText = REF_IN_TEXT.exec(m.text)?.[0];
      receipt = RECEIPT_IN_TEXT.exec(m.text)?.[1] ?? '?';
    }
    if (!refText || receipt === undefined) continue;
    const ref = normaliseRef(REF_IN_TEXT.exec(refText)?.[0] ?? refText);
    const invoice = byRef.get(ref);
    const party =
      invoice && m.to === invoice.customerMsisdn
        ? 'customer'
        : invoice && m.to === invoice.merchantMsisdn
          ? 'merchant'
          : 'other';
    out.push({ ref, party, receipt, channel: m.channel, at: m.at });
  }
  return out;
}

/** Each prompt, with the payment row it belongs to (by CheckoutRequestID, else the latest payment started before it). */
export function mapPromptsToPayments(
  facts: RunFacts,
): { push: PushFact; paymentId: string | null }[] {
  const paymentsByRef = new Map<string, PaymentFact[]>();
  for (const p of facts.payments) {
    const key = normaliseRef(p.ref);
    paymentsByRef.set(key, [...(paymentsByRef.get(key) ?? []), p]);
  }
  for (const list of paymentsByRef.values()) list.sort((a, b) => a.initiatedAt - b.initiatedAt);
  const byCheckout = new Map(
    facts.payments.filter((p) => p.checkoutRequestId).map((p) => [p.checkoutRequestId!, p]),
  );
  return facts.pushes
    .filter((p) => p.outcome === 'prompted')
    .map((push) => {
      const exact = push.checkoutRequestId ? byCheckout.get(push.checkoutRequestId) : undefined;
      if (exact) return { push, paymentId: exact.id };
      return { push, paymentId: pushedFor(paymentsByRef, push)?.id ?? null };
    });
}

/**
 * The payment that made a push: the latest of its invoice started before the push arrived. Sound
 * because an invoice has at most one open payment, and a push runs only while its payment is open.
 */
function pushedFor(
  paymentsByRef: Map<string, PaymentFact[]>,
  push: PushFact,
): PaymentFact | undefined {
  return (paymentsByRef.get(normaliseRef(push.accountReference)) ?? [])
    .filter((p) => p.initiatedAt <= push.receivedAt)
    .at(-1);
}

/** Prompts whose CheckoutRequestID the app stored on another payment than the one that pushed it. */
export function misattributedCheckouts(facts: RunFacts): string[] {
  const paymentsByRef = new Map<string, PaymentFact[]>();
  for (const p of facts.payments) {
    const key = normaliseRef(p.ref);
    paymentsByRef.set(key, [...(paymentsByRef.get(key) ?? []), p]);
  }
  for (const list of paymentsByRef.values()) list.sort((a, b) => a.initiatedAt - b.initiatedAt);
  const byCheckout = new Map(
    facts.payments.filter((p) => p.checkoutRequestId).map((p) => [p.checkoutRequestId!, p]),
  );
  const out: string[] = [];
  for (const push of facts.pushes) {
    if (push.outcome !== 'prompted' || !push.checkoutRequestId) continue;
    const stored = byCheckout.get(push.checkoutRequestId);
    const owner = pushedFor(paymentsByRef, push);
    if (stored && owner && stored.id !== owner.id) {
      out.push(
        `${stored.ref}: ${push.checkoutRequestId} (push #${push.seq} for payment ${owner.id}, now ${owner.status}) ` +
          `is stored on payment ${stored.id} (${stored.status}, started ${Math.round((push.receivedAt - stored.initiatedAt) / 1000)} s before that push)`,
      );
    }
  }
  return out;
}

function inWindow(faults: FaultWindow[], at: number, graceMs: number): FaultWindow | undefined {
  return faults.find((w) => at >= w.start - 1_000 && at <= w.end + graceMs);
}

const list = (items: string[], max = 12): string[] =>
  items.length > max ? [...items.slice(0, max), `… and ${items.length - max} more`] : items;

const money = (n: number) => n.toLocaleString('en-US');

export function evaluate(facts: RunFacts): CheckRow[] {
  const rows: CheckRow[] = [];
  const h = facts.harness;
  const row = (
    id: string,
    check: string,
    figure: string,
    expected: string,
    ok: boolean,
    details: string[] = [],
  ) => rows.push({ id, check, figure, expected, ok, details: list(details) });

  const invoiceByRef = new Map(facts.invoices.map((i) => [normaliseRef(i.ref), i]));
  const drivenByRef = new Map(facts.driven.map((d) => [normaliseRef(d.ref), d]));
  const prompts = facts.pushes.filter((p) => p.outcome === 'prompted');
  const simPaid = new Map<string, { sum: number; count: number }>();
  for (const p of prompts) {
    if (!p.paid) continue;
    const key = normaliseRef(p.accountReference);
    const s = simPaid.get(key) ?? { sum: 0, count: 0 };
    simPaid.set(key, { sum: s.sum + p.amount, count: s.count + 1 });
  }
  const succeeded = new Map<string, number>();
  for (const p of facts.payments) {
    if (p.status !== 'succeeded') continue;
    const key = normaliseRef(p.ref);
    succeeded.set(key, (succeeded.get(key) ?? 0) + 1);
  }

  // --- the run itself: did it do what it claims? ---
  const paidDriven = facts.driven.filter((d) => d.outcome === 'paid').length;
  row(
    'H1',
    'invoices driven (merchant API, 2 processes)',
    `${facts.driven.length} driven, ${paidDriven} seen PAID by the driver`,
    `≥ ${h.minInvoices} driven`,
    facts.driven.length >= h.minInvoices,
  );
  row(
    'H2',
    'peak invoices in flight',
    String(h.peakInFlight),
    `≥ ${h.minInFlight}`,
    h.peakInFlight >= h.minInFlight,
  );
  row(
    'H3',
    'STK pushes in flight at the SIGKILL',
    String(h.pushesInFlightAtKill),
    `≥ ${h.minPushesInFlightAtKill}`,
    h.pushesInFlightAtKill >= h.minPushesInFlightAtKill,
  );
  row(
    'H4',
    'database connections cut once',
    String(h.dbConnectionsCut),
    '≥ 1',
    h.dbConnectionsCut >= 1,
  );
  row(
    'H5',
    'Daraja outage (30 s): calls answered 500 / hung; pushes hit',
    `${h.outage500s} / ${h.outageHangs}; ${h.outagePushes}`,
    '≥ 1 / ≥ 1; ≥ 1',
    h.outage500s >= 1 && h.outageHangs >= 1 && h.outagePushes >= 1,
  );
  row(
    'H6',
    'callbacks ×3 / dropped / before the push answer / masked phone',
    `${h.callbacksTriple} / ${h.callbacksDropped} / ${h.callbacksBeforeAnswer} / ${h.maskedPhones}`,
    'each ≥ 1',
    h.callbacksTriple >= 1 &&
      h.callbacksDropped >= 1 &&
      h.callbacksBeforeAnswer >= 1 &&
      h.maskedPhones >= 1,
  );
  row(
    'H7',
    'app processes that died unasked',
    String(h.unexpectedExits.length),
    '0',
    h.unexpectedExits.length === 0,
    h.unexpectedExits,
  );
  row(
    'H8',
    'STK pushes Daraja refused as malformed',
    String(h.pushesRefusedInvalid),
    '0',
    h.pushesRefusedInvalid === 0,
  );

  // --- money ---
  const notPaid: string[] = [];
  const paidButNot: string[] = [];
  let paidByCustomer = 0;
  for (const d of facts.driven) {
    const inv = invoiceByRef.get(normaliseRef(d.ref));
    const paidBySim = simPaid.get(normaliseRef(d.ref))?.sum ?? 0;
    if (paidBySim > 0) paidByCustomer += 1;
    if (inv && inv.state === 'PAID' && inv.amountPaid === inv.amount) continue;
    const line = inv
      ? `${d.ref}: ${inv.state}, amountPaid ${money(inv.amountPaid)} of ${money(inv.amount)}, customer paid ${money(paidBySim)} (driver: ${d.outcome})`
      : `${d.ref}: not in the database (driver: ${d.outcome})`;
    notPaid.push(line);
    if (paidBySim > 0) paidButNot.push(line);
  }
  row(
    'I1',
    'every invoice the customer paid is PAID with amountPaid == amount',
    `${paidButNot.length} of ${paidByCustomer} not`,
    '0',
    paidButNot.length === 0,
    paidButNot,
  );
  row(
    'I2',
    'every driven invoice reached PAID in the run',
    `${facts.driven.length - notPaid.length} of ${facts.driven.length}`,
    `${facts.driven.length}`,
    notPaid.length === 0,
    notPaid,
  );

  const twice: string[] = [];
  for (const inv of facts.invoices) {
    const key = normaliseRef(inv.ref);
    if (!drivenByRef.has(key)) continue;
    const n = succeeded.get(key) ?? 0;
    if (inv.amountPaid > inv.amount || n > 1) {
      twice.push(
        `${inv.ref}: amountPaid ${money(inv.amountPaid)} of ${money(inv.amount)}, ${n} payments succeeded`,
      );
    }
  }
  row(
    'I3',
    'no invoice credited twice (amount_paid ≤ amount, ≤ 1 payment succeeded)',
    String(twice.length),
    '0',
    twice.length === 0,
    twice,
  );

  // A prompt whose answer never reached the app and whose callbacks all got lost cannot be
  // known by any app (there is no CheckoutRequestID to ask about): the customer's next tap is a
  // second charge that only the M-PESA statement shows. The run forces a few; they are counted
  // apart, everything else fails.
  const unknowable = new Map<string, number>();
  for (const p of prompts) {
    if (!p.paid || !p.answerLost || p.callbackDelivered) continue;
    const key = normaliseRef(p.accountReference);
    unknowable.set(key, (unknowable.get(key) ?? 0) + p.amount);
  }
  const charged: string[] = [];
  const chargedForced: string[] = [];
  let chargedTwice = 0;
  let takenNotCredited = 0;
  for (const d of facts.driven) {
    const key = normaliseRef(d.ref);
    const inv = invoiceByRef.get(key);
    const sim = simPaid.get(key) ?? { sum: 0, count: 0 };
    const credited = inv?.amountPaid ?? 0;
    if (sim.sum === credited) continue;
    const line =
      `${d.ref}: customer paid ${money(sim.sum)} in ${sim.count} prompt(s), app credited ${money(credited)} ` +
      `(amount ${money(d.amount)}, ${succeeded.get(key) ?? 0} succeeded` +
      `${inv?.overpaid ? `, overpaid ${money(inv.overpaid)} recorded for refund` : ''})`;
    const extra = sim.sum - credited;
    if (extra > 0 && extra <= (unknowable.get(key) ?? 0)) {
      chargedForced.push(`${line} — forced: a paid prompt the app could not learn of`);
      continue;
    }
    if (sim.count > 1) chargedTwice += 1;
    if (extra > 0) takenNotCredited += extra;
    charged.push(line);
  }
  row(
    'I4',
    'money taken == money credited, per invoice (simulator vs amount_paid)',
    `${charged.length} invoices differ (+${chargedForced.length} forced); ${chargedTwice} customers charged more than once; KES ${money(takenNotCredited)} taken, not credited`,
    '0',
    charged.length === 0,
    [...charged, ...chargedForced],
  );

  // --- prompts ---
  const mapped = mapPromptsToPayments(facts);
  const perPayment = new Map<string, PushFact[]>();
  const orphanPrompts: string[] = [];
  for (const { push, paymentId } of mapped) {
    if (!paymentId) {
      orphanPrompts.push(
        `prompt #${push.seq} (${push.accountReference}, KES ${money(push.amount)}, from ${push.tag}) matches no payment`,
      );
      continue;
    }
    perPayment.set(paymentId, [...(perPayment.get(paymentId) ?? []), push]);
  }
  const pushedTwice = [...perPayment.entries()]
    .filter(([, pushes]) => pushes.length > 1)
    .map(
      ([id, pushes]) =>
        `payment ${id} (${pushes[0].accountReference}): ${pushes.length} prompts, from ${pushes.map((p) => `${p.tag}@${new Date(p.receivedAt).toISOString().slice(11, 23)}`).join(', ')}`,
    );
  const paymentsPerRef = new Map<string, number>();
  for (const p of facts.payments)
    paymentsPerRef.set(normaliseRef(p.ref), (paymentsPerRef.get(normaliseRef(p.ref)) ?? 0) + 1);
  const promptsPerRef = new Map<string, number>();
  for (const p of prompts)
    promptsPerRef.set(
      normaliseRef(p.accountReference),
      (promptsPerRef.get(normaliseRef(p.accountReference)) ?? 0) + 1,
    );
  const morePrompts = [...promptsPerRef.entries()]
    .filter(([ref, n]) => n > (paymentsPerRef.get(ref) ?? 0))
    .map(([ref, n]) => `${ref}: ${n} prompts, ${paymentsPerRef.get(ref) ?? 0} payment rows`);
  row(
    'I5',
    'at most one STK prompt per payment attempt',
    `${pushedTwice.length} payments prompted twice; ${morePrompts.length} invoices with more prompts than payments; ${orphanPrompts.length} prompts without a payment`,
    '0 / 0 / 0',
    pushedTwice.length === 0 && morePrompts.length === 0 && orphanPrompts.length === 0,
    [...pushedTwice, ...morePrompts, ...orphanPrompts],
  );

  // --- receipts ---
  const receipts = receiptMessages(facts);
  const seen = new Map<string, ReceiptMessage[]>();
  for (const r of receipts) {
    const key = `${r.party}|${r.ref}|${r.receipt}`;
    seen.set(key, [...(seen.get(key) ?? []), r]);
  }
  const dupes = [...seen.entries()]
    .filter(([, rs]) => rs.length > 1)
    .map(([key, rs]) => {
      const [party, ref, receipt] = key.split('|');
      const around = rs.map((r) => inWindow(facts.faults, r.at, 90_000)?.name).find(Boolean);
      return `${party} ${ref} receipt ${receipt}: sent ${rs.length}× (${rs.map((r) => r.channel).join(', ')})${around ? `, during ${around}` : ''}`;
    });
  const dupeCount = [...seen.values()].reduce((n, rs) => n + rs.length - 1, 0);
  const misdirected = receipts
    .filter((r) => r.party === 'other')
    .map((r) => `receipt for ${r.ref} sent to someone else`);
  row(
    'I6',
    'each M-PESA receipt sent at most once per party',
    `${receipts.length} receipt messages: ${dupeCount} duplicate sends (of ${dupes.length} receipts), ${misdirected.length} misdirected`,
    '0',
    dupeCount === 0 && misdirected.length === 0,
    [...dupes, ...misdirected],
  );
  const missing: string[] = [];
  const missingForced: string[] = [];
  const digitsOf = (phone: string) => phone.replace(/\D/g, '');
  for (const inv of facts.invoices) {
    const key = normaliseRef(inv.ref);
    const driven = drivenByRef.get(key);
    if (inv.state !== 'PAID' || !driven) continue;
    for (const party of ['customer', 'merchant'] as const) {
      if (receipts.some((r) => r.ref === key && r.party === party)) continue;
      const msisdn = digitsOf(party === 'customer' ? driven.customerMsisdn : driven.merchantMsisdn);
      // The app marked this receipt's send started and died before an answer: it will not send
      // it twice, and cannot know whether it arrived (in production the SMS fallback covers it).
      const unconfirmed = facts.unconfirmedSends.find(
        (u) =>
          u.ref !== null &&
          normaliseRef(u.ref) === key &&
          digitsOf(u.recipient) === msisdn &&
          inWindow(facts.faults, u.at, 30_000) !== undefined,
      );
      (unconfirmed ? missingForced : missing).push(`${inv.ref}: no receipt to the ${party}`);
    }
  }
  row(
    'I7',
    'every PAID invoice: a receipt reached customer and merchant',
    `${missing.length} missing (+${missingForced.length} forced: send unconfirmed at a fault)`,
    '0',
    missing.length === 0,
    [...missing, ...missingForced.map((m) => `forced: ${m}`)],
  );

  // --- leftovers ---
  const deadForced: string[] = [];
  const deadUnforced: string[] = [];
  for (const d of facts.deadOutbox) {
    const w = inWindow(facts.faults, d.diedAt, 30_000);
    const line = `#${d.id} ${d.kind}: ${d.lastError ?? ''}`.slice(0, 200);
    if (w) deadForced.push(`${line} (died during ${w.name})`);
    else deadUnforced.push(line);
  }
  row(
    'I8',
    'no dead outbox rows, except ones the run forced',
    `${deadUnforced.length} dead (+${deadForced.length} forced)`,
    '0',
    deadUnforced.length === 0,
    [...deadUnforced, ...deadForced],
  );

  // A payment the app cannot know the fate of (no prompt reached anyone, started in a fault
  // window) may legitimately still wait for its timeout when the run ends: forced.
  const promptedPayments = new Set(mapped.map((m) => m.paymentId).filter(Boolean));
  const paymentById = new Map(facts.payments.map((p) => [p.id, p]));
  const forcedPayment = (id: string | null): boolean => {
    const p = id ? paymentById.get(id) : undefined;
    return (
      p !== undefined &&
      !promptedPayments.has(p.id) &&
      inWindow(facts.faults, p.initiatedAt, 15_000) !== undefined &&
      facts.endedAt - p.initiatedAt < 200_000
    );
  };
  if ('error' in facts.reconciliation) {
    row(
      'I9',
      'reconciliation (GET /admin/reconciliation) empty, except forced',
      `unreadable: ${facts.reconciliation.error}`,
      '0 items',
      false,
    );
  } else {
    const items = facts.reconciliation.map(
      (d) =>
        `${d.issue} payment ${d.paymentId ?? '-'} checkout ${d.checkoutRequestId ?? '-'} ${d.detail ?? ''}`,
    );
    const unforced = facts.reconciliation.filter((d) => !forcedPayment(d.paymentId));
    row(
      'I9',
      'reconciliation (GET /admin/reconciliation) empty, except forced',
      `${unforced.length} items (+${facts.reconciliation.length - unforced.length} forced)`,
      '0',
      unforced.length === 0,
      items,
    );
  }
  const open = facts.openPayments.filter((p) => !forcedPayment(p.id));
  row(
    'I10',
    'nothing left open in the database (payments open or in review, callbacks never applied)',
    `${open.length} payments (+${facts.openPayments.length - open.length} forced), ${facts.unprocessedCallbacks.length} callbacks`,
    '0 / 0',
    open.length === 0 && facts.unprocessedCallbacks.length === 0,
    [
      ...facts.openPayments.map(
        (p) =>
          `${p.ref}: payment ${p.id} ${p.status}${p.checkoutRequestId ? ` ${p.checkoutRequestId}` : ' (no CheckoutRequestID)'}${forcedPayment(p.id) ? ' (forced)' : ''}`,
      ),
      ...facts.unprocessedCallbacks.map((c) => `unapplied callback ${c.externalId}`),
    ],
  );

  const misattributed = misattributedCheckouts(facts);
  row(
    'I11',
    "each prompt's CheckoutRequestID (and receipt) stored on the attempt that pushed it",
    `${misattributed.length} on another attempt`,
    '0',
    misattributed.length === 0,
    misattributed,
  );

  row(
    'T',
    'wall time of the run',
    `${(h.wallMs / 1000).toFixed(1)} s`,
    `≤ ${h.maxWallMs / 1000} s`,
    h.wallMs <= h.maxWallMs,
  );
  return rows;
}

/** The table as text, then the details of each row (failed rows first). */
export function renderTable(rows: CheckRow[], title: string): string {
  const header = ['#', 'check', 'figure', 'expected', 'result'];
  const cells = rows.map((r) => [r.id, r.check, r.figure, r.expected, r.ok ? 'ok' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const out = [
    title,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ];
  const withDetails = [...rows].sort((a, b) => Number(a.ok) - Number(b.ok));
  for (const r of withDetails) {
    if (r.details.length === 0) continue;
    out.push('', `${r.id} ${r.ok ? '' : '(FAIL) '}${r.check}:`);
    for (const d of r.details) out.push(`  - ${d}`);
  }
  return out.join('\n');
}
