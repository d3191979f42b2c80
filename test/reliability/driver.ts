import { httpRequest, sleep } from './http';

/**
 * Plays the merchants and their customers through the public API, behind the load balancer:
 * merchants are created with the admin API, each invoice with POST /invoices (merchant key,
 * Idempotency-Key), each payment with POST /payments/stk/initiate; the invoice is then watched
 * with GET /invoices/:ref. An attempt that ends FAILED is started again, like a customer tapping
 * Pay again. Every loop is bounded by the deadline.
 */

export interface DrivenMerchant {
  id: string;
  name: string;
  /** Digits, 2547XXXXXXXX. */
  msisdn: string;
  apiKey: string;
}

export type InvoiceOutcome =
  'running' | 'paid' | 'exhausted' | 'deadline' | 'create_failed' | 'closed';

export interface DrivenInvoice {
  n: number;
  merchant: DrivenMerchant;
  /** Digits, 2547XXXXXXXX. */
  customerMsisdn: string;
  amount: number;
  ref?: string;
  id?: string;
  startedAt: number;
  finishedAt?: number;
  /** 202 answers to an initiate call. */
  initiations: number;
  /** 409 payment_pending: a payment was already open (e.g. our earlier call committed but its answer was lost). */
  adopted: number;
  /** FAILED seen, and Pay tapped again. */
  retaps: number;
  lastStatus?: string;
  outcome: InvoiceOutcome;
  errors: number;
  lastError?: string;
}

export interface DriverStats {
  requests: number;
  networkErrors: number;
  serverErrors: number;
  unexpected: string[];
}

const DESCRIPTIONS = ['Logo design', 'Website hosting', 'Catering', 'School fees', 'Plumbing'];

function toNational(msisdn: string): string {
  return `0${msisdn.slice(3)}`;
}

export class Driver {
  readonly invoices: DrivenInvoice[] = [];
  readonly merchants: DrivenMerchant[] = [];
  readonly stats: DriverStats = { requests: 0, networkErrors: 0, serverErrors: 0, unexpected: [] };
  /** How many invoices may be in flight; the chaos script changes it. */
  concurrency: number;
  inFlight = 0;
  peakInFlight = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly adminKey: string,
    private readonly random: () => number,
    private readonly runId: string,
    concurrency: number,
  ) {
    this.concurrency = concurrency;
  }

  get completed(): number {
    return this.invoices.filter((i) => i.outcome !== 'running').length;
  }

  private async call(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; json: any } | { status: 0; error: string }> {
    this.stats.requests += 1;
    try {
      const res = await httpRequest(`${this.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...extraHeaders,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 20_000,
      });
      if (res.status >= 500) this.stats.serverErrors += 1;
      return { status: res.status, json: res.json };
    } catch (error) {
      this.stats.networkErrors += 1;
      return { status: 0, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async createMerchants(count: number, deadline: number): Promise<void> {
    for (let m = 0; m < count; m++) {
      const msisdn = `2547220${String(10_000 + m * 37 + Math.floor(this.random() * 30)).slice(-5)}`;
      const name = `Reliability Shop ${m + 1}`;
      for (;;) {
        const res = await this.call('POST', '/admin/merchants', this.adminKey, {
          name,
          phone: toNational(msisdn),
          locale: 'en',
        });
        if (res.status === 201 || res.status === 200) {
          const j = (res as { json: any }).json;
          this.merchants.push({ id: j.id, name, msisdn, apiKey: j.apiKey });
          break;
        }
        if (Date.now() > deadline || (res.status >= 400 && res.status < 500)) {
          throw new Error(`could not create merchant: ${JSON.stringify(res)}`);
        }
        await sleep(500);
      }
    }
  }

  /**
   * Drives at least `total` invoices with up to `concurrency` in flight, and more while
   * `keepGoing()` says so (the faults need traffic), at most twice `total`. New invoices start
   * until `startDeadline`; every invoice is given up at `deadline`.
   */
  async run(
    total: number,
    keepGoing: () => boolean,
    startDeadline: number,
    deadline: number,
  ): Promise<void> {
    const tasks = new Set<Promise<void>>();
    let next = 0;
    const mayStart = () =>
      (next < total || (keepGoing() && next < 2 * total)) && Date.now() < startDeadline;
    while (mayStart() || tasks.size > 0) {
      while (mayStart() && tasks.size < this.concurrency) {
        const invoice = this.newInvoice(next++);
        const task: Promise<void> = this.drive(invoice, deadline).finally(() => {
          tasks.delete(task);
          this.inFlight = tasks.size;
        });
        tasks.add(task);
        this.inFlight = tasks.size;
        this.peakInFlight = Math.max(this.peakInFlight, tasks.size);
      }
      await Promise.race([...tasks, sleep(200)]);
      if (Date.now() > deadline + 30_000) break;
    }
  }

  private newInvoice(n: number): DrivenInvoice {
    const merchant = this.merchants[n % this.merchants.length];
    // Unique per run and invoice: 2547 + 1x + 7 digits.
    const customerMsisdn = `25471${String(1 + (n % 9))}${String(
      (Number.parseInt(this.runId.slice(-4), 36) * 1000 + n) % 1_000_000,
    ).padStart(6, '0')}`;
    const invoice: DrivenInvoice = {
      n,
      merchant,
      customerMsisdn,
      amount: 10 + Math.floor(this.random() * 24_990),
      startedAt: Date.now(),
      initiations: 0,
      adopted: 0,
      retaps: 0,
      outcome: 'running',
      errors: 0,
    };
    this.invoices.push(invoice);
    return invoice;
  }

  private noteError(invoice: DrivenInvoice, what: string): void {
    invoice.errors += 1;
    invoice.lastError = what.slice(0, 300);
  }

  private async drive(invoice: DrivenInvoice, deadline: number): Promise<void> {
    try {
      await this.create(invoice, deadline);
      if (!invoice.ref) {
        invoice.outcome = 'create_failed';
        return;
      }
      let needPay = true;
      let waitingSince = Date.now();
      while (Date.now() < deadline) {
        if (needPay) {
          const started = await this.pay(invoice);
          if (started === 'exhausted') {
            invoice.outcome = 'exhausted';
            return;
          }
          if (started === 'closed') {
            invoice.outcome = 'closed';
            return;
          }
          if (started === 'error') {
            await sleep(800 + this.random() * 1_200);
            continue;
          }
          needPay = false;
          waitingSince = Date.now();
        }
        const waited = Date.now() - waitingSince;
        await sleep((waited > 25_000 ? 2_500 : 900) + this.random() * 400);
        const res = await this.call('GET', `/invoices/${invoice.ref}`, invoice.merchant.apiKey);
        if (res.status !== 200) {
          this.noteError(invoice, `GET invoice: ${res.status} ${'error' in res ? res.error : ''}`);
          continue;
        }
        const status = String((res as { json: any }).json?.status);
        invoice.lastStatus = status;
        switch (status) {
          case 'PAID':
            invoice.outcome = 'paid';
            invoice.finishedAt = Date.now();
            return;
          case 'FAILED':
            invoice.retaps += 1;
            needPay = true;
            break;
          case 'PARTIALLY_PAID':
          case 'READY':
          case 'SENT':
            needPay = true;
            break;
          case 'CANCELLED':
          case 'EXPIRED':
            invoice.outcome = 'closed';
            return;
          default:
            break;
        }
      }
      invoice.outcome = 'deadline';
    } catch (error) {
      this.noteError(invoice, error instanceof Error ? error.message : String(error));
      if (invoice.outcome === 'running')
        invoice.outcome = invoice.ref ? 'deadline' : 'create_failed';
    } finally {
      invoice.finishedAt ??= Date.now();
    }
  }

  private async create(invoice: DrivenInvoice, deadline: number): Promise<void> {
    const body = {
      customerPhone: toNational(invoice.customerMsisdn),
      customerName: `Customer ${invoice.n}`,
      amount: invoice.amount,
      description: DESCRIPTIONS[invoice.n % DESCRIPTIONS.length],
    };
    while (Date.now() < deadline) {
      const res = await this.call('POST', '/invoices', invoice.merchant.apiKey, body, {
        'Idempotency-Key': `rel-${this.runId}-${invoice.n}`,
      });
      if (res.status === 201) {
        const j = (res as { json: any }).json;
        invoice.ref = j.ref;
        invoice.id = j.id;
        return;
      }
      this.noteError(invoice, `POST /invoices: ${res.status} ${JSON.stringify(res).slice(0, 200)}`);
      if (res.status >= 400 && res.status < 500) {
        this.stats.unexpected.push(`invoice ${invoice.n}: ${invoice.lastError}`);
        return;
      }
      await sleep(800 + this.random() * 800);
    }
  }

  /** The customer taps Pay (the merchant's API key starts the push). */
  private async pay(
    invoice: DrivenInvoice,
  ): Promise<'started' | 'pending' | 'paid' | 'exhausted' | 'closed' | 'error'> {
    const res = await this.call('POST', '/payments/stk/initiate', invoice.merchant.apiKey, {
      invoiceRef: invoice.ref,
    });
    if (res.status === 202) {
      invoice.initiations += 1;
      return 'started';
    }
    const code = res.status === 0 ? '' : String((res as { json: any }).json?.code ?? '');
    if (res.status === 409) {
      switch (code) {
        case 'payment_pending':
          invoice.adopted += 1;
          return 'pending';
        case 'invoice_paid':
          return 'paid';
        case 'attempts_exhausted':
          return 'exhausted';
        case 'invoice_cancelled':
        case 'invoice_expired':
          return 'closed';
        default:
          break;
      }
    }
    this.noteError(invoice, `initiate: ${res.status} ${JSON.stringify(res).slice(0, 200)}`);
    if (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429) {
      this.stats.unexpected.push(`invoice ${invoice.ref}: ${invoice.lastError}`);
    }
    return 'error';
  }
}
