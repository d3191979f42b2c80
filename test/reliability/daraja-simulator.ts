import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, assertLoopback, httpRequest, listen, readBody, splitTag } from './http';

/**
 * Safaricom Daraja (M-PESA Express) as docs/PROTOCOLS.md §1 describes it, for several app
 * processes at once: OAuth, STK push, STK query, and the callbacks a customer's answer causes.
 * Written from the protocol only; it shares no code with the app's client.
 *
 * Every base URL the apps get is `http://127.0.0.1:<port>/<tag>`, so each request says which
 * process (and which incarnation of it) made it.
 *
 * The simulated customer pays every prompt. Callbacks are delivered three times (one to the
 * CallBackURL, two straight to the app processes), some are dropped (only the STK query tells),
 * some arrive before the push's own HTTP answer. Faults on demand: slow push answers, and an
 * outage window in which every call answers 500 or hangs.
 */

export const PUSH_PATH = '/mpesa/stkpush/v1/processrequest';
export const QUERY_PATH = '/mpesa/stkpushquery/v1/query';
export const OAUTH_PATH = '/oauth/v1/generate';

export type PushOutcome =
  /** A prompt reached the customer (who pays it). */
  | 'prompted'
  | 'refused_invalid'
  | 'refused_auth'
  | 'refused_locked'
  | 'refused_outage'
  /** Hung during the outage and never reached M-PESA. */
  | 'hung_unprocessed';

export type CallbackPlan = 'normal' | 'early' | 'dropped';

export interface CallbackDelivery {
  copy: number;
  url: string;
  at: number;
  status?: number;
  error?: string;
}

export interface SimPush {
  seq: number;
  /** Which app process (incarnation) sent it. */
  tag: string;
  receivedAt: number;
  accountReference: string;
  amount: number;
  msisdn: string;
  callbackUrl: string;
  outcome: PushOutcome;
  detail?: string;
  merchantRequestId?: string;
  checkoutRequestId?: string;
  plan?: CallbackPlan;
  /** The HTTP exchange is still open (the app waits for our answer). */
  open: boolean;
  /** Whether our HTTP answer reached the app; undefined while open or when withheld. */
  answerDelivered?: boolean;
  withheld?: boolean;
  paidAt?: number;
  receipt?: string;
  callbacks: CallbackDelivery[];
  queries: number;
  maskedPhone?: boolean;
  decimalAmount?: boolean;
}

export interface DarajaSimOptions {
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  random: () => number;
  /** Base URLs (http://127.0.0.1:port) of the app processes that are up now, for direct copies. */
  directTargets: () => string[];
  dropRate?: number;
  earlyRate?: number;
  /** How long the customer takes to enter the PIN after the prompt. */
  payDelayMs?: [number, number];
}

export interface DarajaStats {
  oauth: number;
  oauthRefused: number;
  pushes: number;
  queries: number;
  queryPending: number;
  queryFinal: number;
  queryUnknown: number;
  queryRefused: number;
  outage500s: number;
  outageHangs: number;
  callbacksPosted: number;
  callbacksOk: number;
  callbacksFailed: number;
  callbacksBeforeAnswer: number;
}

const NORMAL_DELAY: [number, number] = [20, 200];

export function nairobiTimestamp(ms: number): string {
  const d = new Date(ms + 3 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
  );
}

/** What the app puts in Password: base64(shortcode + passkey + timestamp). */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, 'utf8').toString('base64');
}

/** 0722XXX489: how 2026 Daraja masks a payer's number. */
export function maskMsisdn(msisdn: string): string {
  const national = `0${msisdn.slice(3)}`;
  return `${national.slice(0, 4)}XXX${national.slice(-3)}`;
}

export class DarajaSimulator {
  readonly pushes: SimPush[] = [];
  readonly byCheckout = new Map<string, SimPush>();
  readonly stats: DarajaStats = {
    oauth: 0,
    oauthRefused: 0,
    pushes: 0,
    queries: 0,
    queryPending: 0,
    queryFinal: 0,
    queryUnknown: 0,
    queryRefused: 0,
    outage500s: 0,
    outageHangs: 0,
    callbacksPosted: 0,
    callbacksOk: 0,
    callbacksFailed: 0,
    callbacksBeforeAnswer: 0,
  };
  port = 0;
  private closeServer?: () => Promise<void>;
  private readonly tokens = new Map<string, number>();
  private responseDelay: [number, number] = NORMAL_DELAY;
  private outage: { start: number; end: number } | null = null;
  private readonly work = new Set<Promise<unknown>>();
  private readonly receipts = new Set<string>();
  private closed = false;
  private seq = 0;
  private expiresAsNumber = false;
  private readonly rnd: () => number;
  /** Pending waits, resolved at once by close(). */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly options: DarajaSimOptions) {
    this.rnd = options.random;
  }

  async start(): Promise<this> {
    const l = await listen((req, res) => this.track(this.handle(req, res)));
    this.port = l.port;
    this.closeServer = l.close;
    return this;
  }

  baseUrl(tag: string): string {
    return `http://127.0.0.1:${this.port}/${tag}`;
  }

  /** Push answers take [min, max] ms from now on (the default is quick). */
  slowPushAnswers(range: [number, number] | null): void {
    this.responseDelay = range ?? NORMAL_DELAY;
  }

  /** From now for `ms`: every call answers HTTP 500 or hangs (no answer at all). */
  startOutage(ms: number): { start: number; end: number } {
    const start = Date.now();
    this.outage = { start, end: start + ms };
    return this.outage;
  }

  /** Pushes whose HTTP exchange is open right now, by process tag. */
  inFlight(): { total: number; byTag: Record<string, number> } {
    const byTag: Record<string, number> = {};
    let total = 0;
    for (const p of this.pushes) {
      if (!p.open) continue;
      total += 1;
      byTag[p.tag] = (byTag[p.tag] ?? 0) + 1;
    }
    return { total, byTag };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.work]),
      new Promise((r) => (guard = setTimeout(r, 5_000))),
    ]);
    clearTimeout(guard);
    await this.closeServer?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  private track<T>(p: Promise<T>): void {
    const guarded = p.catch(() => undefined);
    this.work.add(guarded);
    void guarded.finally(() => this.work.delete(guarded));
  }

  private between([min, max]: [number, number]): number {
    return Math.round(min + this.rnd() * (max - min));
  }

  private outageNow(): boolean {
    const now = Date.now();
    return this.outage !== null && now >= this.outage.start && now < this.outage.end;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const { tag, rest } = splitTag(url.pathname);
    const body = await readBody(req);
    if (req.method === 'GET' && rest === OAUTH_PATH) return this.oauth(req, res, url);
    if (req.method === 'POST' && rest === PUSH_PATH) return this.push(req, res, tag, body);
    if (req.method === 'POST' && rest === QUERY_PATH) return this.query(req, res, body);
    await answer(res, 404, { requestId: '', errorCode: '404.001.01', errorMessage: 'Not found' });
  }

  /** During the outage: half the calls get a 500, the rest hang. Returns true if it answered. */
  private async outageFault(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<'500' | 'hang' | null> {
    if (!this.outageNow()) return null;
    if (this.rnd() < 0.5) {
      this.stats.outage500s += 1;
      await answer(res, 500, {
        requestId: `sim-${Date.now()}`,
        errorCode: '500.003.1001',
        errorMessage: 'Internal Server Error',
      });
      return '500';
    }
    this.stats.outageHangs += 1;
    // No answer: the client's own timeout ends it; a bound so nothing lingers.
    const guard = setTimeout(() => req.socket.destroy(), 60_000);
    req.socket.once('close', () => clearTimeout(guard));
    return 'hang';
  }

  private error(res: ServerResponse, status: number, code: string, message: string) {
    return answer(res, status, {
      requestId: `${Math.floor(this.rnd() * 1e5)}-${Date.now()}`,
      errorCode: code,
      errorMessage: message,
    });
  }

  private async oauth(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.stats.oauth += 1;
    if ((await this.outageFault(req, res)) !== null) return;
    if (url.searchParams.get('grant_type') !== 'client_credentials') {
      this.stats.oauthRefused += 1;
      await this.error(res, 400, '400.008.02', 'Invalid grant type passed');
      return;
    }
    const expected = Buffer.from(
      `${this.options.consumerKey}:${this.options.consumerSecret}`,
      'utf8',
    ).toString('base64');
    if (req.headers.authorization !== `Basic ${expected}`) {
      this.stats.oauthRefused += 1;
      await this.error(res, 400, '400.008.01', 'Invalid Authentication passed');
      return;
    }
    const token = Array.from({ length: 28 }, () =>
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.charAt(
        Math.floor(this.rnd() * 62),
      ),
    ).join('');
    this.tokens.set(token, Date.now() + 3_600_000);
    // expires_in comes as a string in practice and as a number in the docs: give both.
    this.expiresAsNumber = !this.expiresAsNumber;
    await answer(res, 200, {
      access_token: token,
      expires_in: this.expiresAsNumber ? 3599 : '3599',
    });
  }

  private bearerOk(req: IncomingMessage): boolean {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const expires = m ? this.tokens.get(m[1]) : undefined;
    return expires !== undefined && expires > Date.now();
  }

  private credentialsOk(b: Record<string, unknown>): string | null {
    if (typeof b.BusinessShortCode !== 'string' && typeof b.BusinessShortCode !== 'number')
      return 'Invalid BusinessShortCode';
    if (!/^\d{5,7}$/.test(String(b.BusinessShortCode))) return 'Invalid BusinessShortCode';
    if (typeof b.Timestamp !== 'string' || !/^\d{14}$/.test(b.Timestamp))
      return 'Invalid Timestamp';
    return null;
  }

  private async push(
    req: IncomingMessage,
    res: ServerResponse,
    tag: string,
    raw: Buffer,
  ): Promise<void> {
    this.stats.pushes += 1;
    const receivedAt = Date.now();
    let b: Record<string, unknown> = {};
    try {
      b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      b = {};
    }
    const push: SimPush = {
      seq: ++this.seq,
      tag,
      receivedAt,
      accountReference: typeof b.AccountReference === 'string' ? b.AccountReference : '',
      amount: Number(b.Amount),
      msisdn: text(b.PhoneNumber),
      callbackUrl: typeof b.CallBackURL === 'string' ? b.CallBackURL : '',
      outcome: 'prompted',
      open: true,
      callbacks: [],
      queries: 0,
    };
    this.pushes.push(push);
    res.on('close', () => {
      push.open = false;
      if (!push.withheld) push.answerDelivered = res.writableFinished;
    });
    const refuse = async (
      outcome: PushOutcome,
      status: number,
      code: string,
      message: string,
    ): Promise<void> => {
      push.outcome = outcome;
      push.detail = `${code} ${message}`;
      await this.error(res, status, code, message);
    };

    if (!this.bearerOk(req))
      return refuse('refused_auth', 404, '404.001.03', 'Invalid Access Token');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return refuse(
        'refused_invalid',
        400,
        '400.002.02',
        'Bad Request - Invalid BusinessShortCode',
      );
    }
    const invalid = this.pushProblem(b);
    if (invalid) {
      const [status, code, message] = invalid;
      return refuse('refused_invalid', status, code, message);
    }

    const fault = await this.outageFault(req, res);
    if (fault === '500') {
      push.outcome = 'refused_outage';
      push.detail = '500.003.1001 Internal Server Error (outage)';
      return;
    }
    if (fault === 'hang') {
      push.withheld = true;
      // A timeout leaves the outcome unknown: half of these reached M-PESA and prompt the customer.
      if (this.rnd() < 0.5) {
        push.outcome = 'hung_unprocessed';
        push.detail = 'no answer, not processed (outage)';
        return;
      }
      push.detail = 'no answer, processed (outage)';
      this.prompt(push, 'withheld');
      return;
    }

    if (this.pushes.some((p) => p !== push && p.msisdn === push.msisdn && isAwaitingPin(p))) {
      return refuse(
        'refused_locked',
        500,
        '500.001.1001',
        'Unable to lock subscriber, a transaction is already in process for the current subscriber',
      );
    }

    const plan = this.prompt(push, 'answer');
    const answerBody = {
      MerchantRequestID: push.merchantRequestId,
      CheckoutRequestID: push.checkoutRequestId,
      ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing',
      CustomerMessage: 'Success. Request accepted for processing',
    };
    const due = receivedAt + this.between(this.responseDelay);
    if (plan === 'early') {
      // The customer is quicker than the API gateway: the callback lands before our answer.
      await this.sleep(30);
      this.pay(push);
      const first = await this.deliver(push, 1, push.callbackUrl);
      if (first.status === 200) this.stats.callbacksBeforeAnswer += 1;
    }
    const wait = due - Date.now();
    if (wait > 0) await this.sleep(wait);
    await answer(res, 200, answerBody);
  }

  /** [status, errorCode, message] for what Daraja would refuse, or null. */
  private pushProblem(b: Record<string, unknown>): [number, string, string] | null {
    const bad = (field: string): [number, string, string] => [
      400,
      '400.002.02',
      `Bad Request - Invalid ${field}`,
    ];
    const cred = this.credentialsOk(b);
    if (cred) return [400, '400.002.02', `Bad Request - ${cred}`];
    const shortcode = String(b.BusinessShortCode);
    if (shortcode !== this.options.shortcode)
      return [500, '500.001.1001', 'Merchant does not exist'];
    if (b.Password !== stkPassword(shortcode, this.options.passkey, String(b.Timestamp))) {
      return [500, '500.001.1001', 'Wrong credentials'];
    }
    if (
      b.TransactionType !== 'CustomerPayBillOnline' &&
      b.TransactionType !== 'CustomerBuyGoodsOnline'
    )
      return bad('TransactionType');
    const amount =
      typeof b.Amount === 'string' && /^\d+$/.test(b.Amount) ? Number(b.Amount) : b.Amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 250_000)
      return bad('Amount');
    const msisdn = /^254[17]\d{8}$/;
    if (!msisdn.test(text(b.PartyA))) return bad('PartyA');
    if (!msisdn.test(text(b.PhoneNumber))) return bad('PhoneNumber');
    if (!/^\d{5,7}$/.test(text(b.PartyB))) return bad('PartyB');
    if (b.TransactionType === 'CustomerPayBillOnline' && text(b.PartyB) !== shortcode)
      return bad('PartyB');
    if (typeof b.CallBackURL !== 'string' || /\s/.test(b.CallBackURL)) return bad('CallBackURL');
    try {
      assertLoopback(b.CallBackURL);
    } catch {
      return bad('CallBackURL');
    }
    if (
      typeof b.AccountReference !== 'string' ||
      b.AccountReference.length < 1 ||
      b.AccountReference.length > 12
    )
      return bad('AccountReference');
    if (
      typeof b.TransactionDesc !== 'string' ||
      b.TransactionDesc.length < 1 ||
      b.TransactionDesc.length > 13
    )
      return bad('TransactionDesc');
    return null;
  }

  /** The prompt reaches the customer: ids, callback plan, and the customer's answer scheduled. */
  private prompt(push: SimPush, answerMode: 'answer' | 'withheld'): CallbackPlan {
    push.outcome = 'prompted';
    const now = Date.now();
    push.merchantRequestId = `${Math.floor(1000 + this.rnd() * 9000)}-${Math.floor(
      1e7 + this.rnd() * 9e7,
    )}-${push.seq}`;
    push.checkoutRequestId = `ws_CO_${nairobiTimestamp(now).slice(6)}${nairobiTimestamp(now).slice(
      0,
      6,
    )}${String(push.seq).padStart(7, '0')}`;
    this.byCheckout.set(push.checkoutRequestId, push);
    const r = this.rnd();
    const dropRate = this.options.dropRate ?? 0.05;
    const earlyRate = answerMode === 'answer' ? (this.options.earlyRate ?? 0.15) : 0;
    const plan: CallbackPlan =
      r < dropRate ? 'dropped' : r < dropRate + earlyRate ? 'early' : 'normal';
    push.plan = plan;
    if (plan !== 'early') {
      // The customer answers some time after the prompt shows (after our answer would be sent).
      const after =
        (answerMode === 'answer' ? this.responseDelay[0] : 0) +
        this.between(this.options.payDelayMs ?? [300, 2_500]);
      this.track(this.customerPays(push, after));
    }
    return plan;
  }

  private async customerPays(push: SimPush, afterMs: number): Promise<void> {
    await this.sleep(afterMs);
    if (this.closed) return;
    this.pay(push);
    if (push.plan === 'dropped') return;
    await this.sleep(this.between([50, 400]));
    await this.deliver(push, 1, push.callbackUrl);
    await this.duplicates(push);
  }

  private pay(push: SimPush): void {
    if (push.paidAt !== undefined) return;
    push.paidAt = Date.now();
    let receipt = '';
    do {
      receipt = Array.from({ length: 10 }, (_, i) =>
        (i === 0 ? 'T' : 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789').charAt(
          Math.floor(this.rnd() * (i === 0 ? 1 : 34)),
        ),
      ).join('');
    } while (this.receipts.has(receipt));
    this.receipts.add(receipt);
    push.receipt = receipt;
    if (push.plan === 'early') this.track(this.afterEarly(push));
  }

  private async afterEarly(push: SimPush): Promise<void> {
    // Copies 2 and 3 of an early callback follow once the push has been answered.
    for (let i = 0; i < 200 && push.open; i++) await this.sleep(50);
    await this.duplicates(push);
  }

  /** Copies 2 and 3, together, straight to two processes (or the CallBackURL when only one is up). */
  private async duplicates(push: SimPush): Promise<void> {
    await this.sleep(this.between([0, 1_500]));
    if (this.closed) return;
    const path = new URL(push.callbackUrl).pathname;
    const targets = this.options.directTargets();
    const pick = (i: number) =>
      targets.length > 0 ? `${targets[(push.seq + i) % targets.length]}${path}` : push.callbackUrl;
    await Promise.all([this.deliver(push, 2, pick(0)), this.deliver(push, 3, pick(1))]);
  }

  private callbackBody(push: SimPush): string {
    const r = this.rnd;
    const amountText = r() < 0.35 ? `${push.amount}.00` : String(push.amount);
    if (amountText.endsWith('.00')) push.decimalAmount = true;
    const items = [
      `{"Name":"Amount","Value":${amountText}}`,
      `{"Name":"MpesaReceiptNumber","Value":${JSON.stringify(push.receipt)}}`,
      `{"Name":"TransactionDate","Value":${nairobiTimestamp(push.paidAt ?? Date.now())}}`,
    ];
    if (r() < 0.3) items.splice(2, 0, '{"Name":"Balance"}');
    const phone = r();
    if (phone < 0.4) items.push(`{"Name":"PhoneNumber","Value":${push.msisdn}}`);
    else if (phone < 0.8) {
      push.maskedPhone = true;
      items.push(`{"Name":"PhoneNumber","Value":${JSON.stringify(maskMsisdn(push.msisdn))}}`);
    }
    // Read by Name, never by position.
    if (r() < 0.3) items.reverse();
    return (
      `{"Body":{"stkCallback":{"MerchantRequestID":${JSON.stringify(push.merchantRequestId)},` +
      `"CheckoutRequestID":${JSON.stringify(push.checkoutRequestId)},"ResultCode":0,` +
      `"ResultDesc":"The service request is processed successfully.",` +
      `"CallbackMetadata":{"Item":[${items.join(',')}]}}}}`
    );
  }

  private async deliver(push: SimPush, copy: number, url: string): Promise<CallbackDelivery> {
    const delivery: CallbackDelivery = { copy, url, at: Date.now() };
    push.callbacks.push(delivery);
    this.stats.callbacksPosted += 1;
    try {
      const res = await httpRequest(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: this.callbackBody(push),
        timeoutMs: 10_000,
      });
      delivery.status = res.status;
      if (res.status === 200) this.stats.callbacksOk += 1;
      else this.stats.callbacksFailed += 1;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
      this.stats.callbacksFailed += 1;
    }
    return delivery;
  }

  private async query(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    this.stats.queries += 1;
    let b: Record<string, unknown> = {};
    try {
      b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      b = {};
    }
    if (!this.bearerOk(req)) {
      this.stats.queryRefused += 1;
      await this.error(res, 404, '404.001.03', 'Invalid Access Token');
      return;
    }
    const cred = this.credentialsOk(b);
    if (cred) {
      this.stats.queryRefused += 1;
      await this.error(res, 400, '400.002.02', `Bad Request - ${cred}`);
      return;
    }
    const shortcode = String(b.BusinessShortCode);
    if (
      shortcode !== this.options.shortcode ||
      b.Password !== stkPassword(shortcode, this.options.passkey, String(b.Timestamp))
    ) {
      this.stats.queryRefused += 1;
      await this.error(res, 500, '500.001.1001', 'Wrong credentials');
      return;
    }
    if ((await this.outageFault(req, res)) !== null) return;
    const push =
      typeof b.CheckoutRequestID === 'string'
        ? this.byCheckout.get(b.CheckoutRequestID)
        : undefined;
    if (!push) {
      this.stats.queryUnknown += 1;
      await this.error(res, 400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID');
      return;
    }
    push.queries += 1;
    if (push.paidAt === undefined) {
      this.stats.queryPending += 1;
      if (this.rnd() < 0.5) {
        await answer(res, 500, {
          requestId: push.checkoutRequestId,
          errorCode: '500.001.1001',
          errorMessage: 'The transaction is being processed',
        });
      } else {
        await answer(res, 200, {
          ResponseCode: '0',
          ResponseDescription: 'The service request has been accepted successsfully',
          MerchantRequestID: push.merchantRequestId,
          CheckoutRequestID: push.checkoutRequestId,
          ResultCode: '4999',
          ResultDesc: 'The transaction is still under processing',
        });
      }
      return;
    }
    this.stats.queryFinal += 1;
    await answer(res, 200, {
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: push.merchantRequestId,
      CheckoutRequestID: push.checkoutRequestId,
      ResultCode: '0',
      ResultDesc: 'The service request is processed successfully.',
    });
  }
}

/** A JSON field that may be a string or a number (Daraja takes both for numbers). */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** A prompt on the customer's phone that they have not answered yet (Daraja locks the subscriber). */
function isAwaitingPin(p: SimPush): boolean {
  return p.outcome === 'prompted' && p.paidAt === undefined;
}
