/**
 * `npm run demo`: the whole invoice-to-payment flow, scripted, against a running sandbox
 * (DEMO_URL, default http://127.0.0.1:8000) or one it starts itself. It plays the merchant and
 * the customers exactly as the /sandbox page does, through the simulators' control endpoints,
 * prints each step with its latency and exits non-zero if any step does not happen.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MERCHANT = '254711000001';
const WANJIKU = '254722000002';
const OTIENO = '254733000003';
const PIN_ACTION = 'pin';

interface Transcript {
  messages: {
    id: string;
    direction: string;
    preview: string;
    kind: string;
    content: any;
    ticks?: number;
  }[];
}

let base = process.env.DEMO_URL ?? 'http://127.0.0.1:8000';
const results: { step: string; ms: number; ok: boolean; detail?: string }[] = [];

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    const value = await run();
    const ms = Date.now() - started;
    results.push({ step: name, ms, ok: true });
    console.log(`  ✔ ${name.padEnd(58)} ${String(ms).padStart(6)} ms`);
    return value;
  } catch (error) {
    const ms = Date.now() - started;
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ step: name, ms, ok: false, detail });
    console.log(`  ✘ ${name.padEnd(58)} ${String(ms).padStart(6)} ms\n      ${detail}`);
    throw error;
  }
}

const transcript = (phone: string): Promise<Transcript> =>
  call('GET', `/sandbox/whatsapp/control/users/${phone}/transcript`);
const inbox = (phone: string): Promise<{ messages: { message: string; status: string }[] }> =>
  call('GET', `/sandbox/africastalking/control/inbox/%2B${phone}`);
const say = (phone: string, text: string) =>
  call('POST', `/sandbox/whatsapp/control/users/${phone}/inbound`, { text });
const newOutbound = async (
  phone: string,
  after: number,
  match: (m: Transcript['messages'][number]) => boolean,
) =>
  until(`a WhatsApp message to ${phone}`, async () => {
    const t = await transcript(phone);
    return t.messages.slice(after).find((m) => m.direction === 'outbound' && match(m));
  });
const count = async (phone: string) => (await transcript(phone)).messages.length;
const payButton = (m: Transcript['messages'][number]) =>
  JSON.stringify(m.content ?? {}).includes('pay:INV-');
const refOf = (m: Transcript['messages'][number]) =>
  /INV-[A-Z0-9]{4,12}/.exec(JSON.stringify(m.content) + m.preview)?.[0];

async function answerPrompt(phone: string, action: string): Promise<void> {
  const prompt = await until(`an STK prompt on ${phone}`, async () => {
    const { prompts } = await call('GET', '/sandbox/daraja/control/prompts');
    return (prompts as { phone: string; checkoutRequestId: string }[]).find((p) =>
      p.phone.endsWith(phone.slice(-9)),
    );
  });
  await call('POST', `/sandbox/daraja/control/prompts/${prompt.checkoutRequestId}/respond`, {
    action,
    delayMs: 200,
  });
}

async function tapPay(phone: string, message: Transcript['messages'][number]): Promise<void> {
  const ref = refOf(message);
  if (message.kind === 'template')
    await call('POST', `/sandbox/whatsapp/control/users/${phone}/inbound`, {
      templateButtonPayload: `pay:${ref}`,
    });
  else
    await call('POST', `/sandbox/whatsapp/control/users/${phone}/inbound`, {
      buttonReplyId: `pay:${ref}`,
      contextMessageId: message.id,
    });
}

async function scenario(): Promise<void> {
  await call('POST', '/sandbox/daraja/control/mode', { mode: 'interactive' });
  await call('POST', `/sandbox/whatsapp/control/users/${WANJIKU}/settings`, {
    notOnWhatsApp: false,
  });
  await call('POST', `/sandbox/whatsapp/control/users/${OTIENO}/settings`, { notOnWhatsApp: true });

  console.log('\n1. One-line invoice, WhatsApp delivery, payment, receipts');
  let m = await count(MERCHANT);
  let c = await count(WANJIKU);
  await step('merchant sends "invoice 0722 000 002 1,500 Logo design"', () =>
    say(MERCHANT, 'invoice 0722 000 002 1,500 Logo design'),
  );
  const invoiceMsg = await step('customer receives the invoice with a Pay button', () =>
    newOutbound(WANJIKU, c, payButton),
  );
  const ref = refOf(invoiceMsg)!;
  await step(`merchant gets the summary of ${ref}`, () =>
    newOutbound(MERCHANT, m, (x) => x.preview.includes(ref)),
  );
  m = await count(MERCHANT);
  c = await count(WANJIKU);
  await step('customer taps Pay with M-PESA', () => tapPay(WANJIKU, invoiceMsg));
  await step('STK prompt appears; customer enters the PIN', () =>
    answerPrompt(WANJIKU, PIN_ACTION),
  );
  await step('customer receives the receipt', () =>
    newOutbound(WANJIKU, c, (x) => /receipt|risiti/i.test(x.preview)),
  );
  await step('merchant is told it is paid', () =>
    newOutbound(MERCHANT, m, (x) => x.preview.includes(ref) && /paid|imelipwa/i.test(x.preview)),
  );

  console.log('\n2. A customer not on WhatsApp gets the invoice by SMS');
  const before = (await inbox(OTIENO)).messages.length;
  m = await count(MERCHANT);
  await step('merchant sends "invoice 0733000003 800 Cake"', () =>
    say(MERCHANT, 'invoice 0733000003 800 Cake'),
  );
  const sms = await step('customer receives the invoice by SMS with the pay link', () =>
    until('an SMS invoice', async () =>
      (await inbox(OTIENO)).messages.slice(before).find((s) => /\/pay\//.test(s.message)),
    ),
  );
  await step('the pay link opens', async () => {
    const link = /(https?:\/\/\S+\/pay\/[A-Za-z0-9_-]+)/.exec(sms.message)?.[1];
    if (!link) throw new Error('no pay link in the SMS');
    const res = await fetch(link.replace(/^https?:\/\/[^/]+/, base));
    if (res.status !== 200) throw new Error(`pay page answered ${res.status}`);
  });
  await step('merchant learns it went by SMS', () =>
    newOutbound(MERCHANT, m, (x) => /SMS/.test(x.preview)),
  );

  console.log('\n3. A cancelled payment, then a successful retry');
  m = await count(MERCHANT);
  c = await count(WANJIKU);
  await step('merchant sends "invoice Wanjiku 700 Delivery"', () =>
    say(MERCHANT, 'invoice Wanjiku 700 Delivery'),
  );
  const second = await step('customer receives the invoice', () =>
    newOutbound(WANJIKU, c, payButton),
  );
  c = await count(WANJIKU);
  await step('customer taps Pay and cancels the prompt', async () => {
    await tapPay(WANJIKU, second);
    await answerPrompt(WANJIKU, 'cancel');
  });
  const failed = await step('customer is told in plain words, with Try again', () =>
    newOutbound(WANJIKU, c, (x) => /cancel|ghairi/i.test(x.preview)),
  );
  c = await count(WANJIKU);
  await step('customer taps Try again and enters the PIN', async () => {
    await tapPay(WANJIKU, failed.content && payButton(failed) ? failed : second);
    await answerPrompt(WANJIKU, PIN_ACTION);
  });
  await step('customer receives the receipt', () =>
    newOutbound(WANJIKU, c, (x) => /receipt|risiti/i.test(x.preview)),
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function reachable(): Promise<boolean> {
  try {
    return (await fetch(`${base}/sandbox/api/cast`)).ok;
  } catch {
    return false;
  }
}

async function startSandbox(): Promise<{ child: ChildProcess; dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'invoiceiq-demo-'));
  base = `http://127.0.0.1:${port}`;
  console.log(`Starting a sandbox on ${base} (embedded database in ${dataDir})…`);
  const root = resolve(__dirname, '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      SANDBOX: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await until('the sandbox to start', reachable, 90_000);
  return { child, dataDir };
}

async function main(): Promise<void> {
  const started = (await reachable()) ? undefined : await startSandbox();
  if (!started) console.log(`Using the sandbox at ${base}`);
  let failed = false;
  try {
    await scenario();
  } catch {
    failed = true;
  } finally {
    if (started) {
      started.child.kill('SIGTERM');
      await new Promise((r) => started.child.once('exit', r));
      rmSync(started.dataDir, { recursive: true, force: true });
    }
  }
  const ok = results.filter((r) => r.ok).length;
  const total = results.reduce((sum, r) => sum + r.ms, 0);
  console.log(
    `\n${ok} of ${results.length} steps happened${failed ? ' — the demo FAILED' : ''}; ${(total / 1000).toFixed(1)} s in all.`,
  );
  console.log(`demo: ${ok} passed, ${results.length - ok} failed`);
  process.exit(failed ? 1 : 0);
}

void main();
