import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signMetaPayload } from '../../src/channels/whatsapp/whatsapp-signature';
import { WEBHOOK_BODY_LIMIT } from '../../src/common/http/body-parsers';
import {
  deepJsonText,
  formEncode,
  hugeString,
  nastyString,
  nearValid,
  pathSegment,
  wrongValue,
} from './support/arbitraries';
import { expectHealthy, type FuzzApp, type FuzzResponse, startFuzzApp } from './support/fuzz-app';
import { fuzz } from './support/fuzz-run';
import {
  darajaArbitraries,
  type FormField,
  smsArbitraries,
  whatsAppArbitraries,
} from './support/provider-payloads';
import { seed, type Seeded, setAsideQueuedWork } from './support/seed';

/** 3mb, as body-parser counts it. */
const LIMIT_BYTES = Number.parseInt(WEBHOOK_BODY_LIMIT, 10) * 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'];
const OTHER_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
];

/** Broken JSON, JSON scalars and text: what a parser must refuse or a protocol must ack. */
const rawText = fc.oneof(
  nastyString(200),
  deepJsonText,
  fc.json({ maxDepth: 3 }).map((json) => json.slice(0, Math.max(1, json.length - 1))),
  fc.json({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    '{',
    '[',
    '{"a":}',
    'null',
    '"x"',
    '1',
    'true',
    '{"a":1}}',
    '\u0000{}',
    '\ufeff{}',
  ),
);

const parsesAsJsonContainer = (raw: string): boolean => {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
};

/**
 * Events handed on after the answer (to the bot, the status recorder, the delivery report's
 * row) must not blow up either: settles the queue, then looks for failures.
 */
async function expectNoHandlerFailure(app: FuzzApp): Promise<void> {
  await app.settle();
  const failures = await app.inboundFailures();
  if (failures.length > 0) throw new Error(`event handling failed after a 200:\n${failures[0]}`);
}

function expectAck(res: FuzzResponse, raw: string, label: string): void {
  const expected = Buffer.byteLength(raw) > LIMIT_BYTES ? 413 : 200;
  if (res.status !== expected)
    throw new Error(`${label}: ${res.status} instead of ${expected}: ${res.text.slice(0, 300)}`);
}

describe('fuzz: provider webhooks and callbacks', () => {
  let app: FuzzApp;
  let seeded: Seeded;

  beforeAll(async () => {
    app = await startFuzzApp({ WABA_PROVIDER: 'meta' });
    seeded = await seed(app);
  }, 120_000);
  afterAll(async () => {
    if (!app) return;
    await setAsideQueuedWork(app);
    await app.close();
  });

  describe('WhatsApp webhook (Meta signature)', () => {
    const post = (raw: string | Buffer, contentType: string, signature?: string) =>
      app.check({
        method: 'POST',
        path: '/whatsapp/webhook',
        headers: {
          'Content-Type': contentType,
          ...(signature === undefined ? {} : { 'X-Hub-Signature-256': signature }),
        },
        body: raw,
      });
    const sign = (raw: string | Buffer) => signMetaPayload(raw, app.t.config.whatsapp.appSecret);

    it('acknowledges every signed JSON body with 200, and handles its events without failing', async () => {
      const wa = whatsAppArbitraries(seeded.known);
      const body = fc.oneof(
        { weight: 6, arbitrary: nearValid(wa.envelope, 4) },
        { weight: 1, arbitrary: nearValid(wa.value, 2) },
        { weight: 1, arbitrary: fc.dictionary(nastyString(12), wrongValue, { maxKeys: 5 }) },
        { weight: 1, arbitrary: fc.array(wrongValue, { maxLength: 4 }) },
        {
          weight: 1,
          arbitrary: fc
            .jsonValue({ maxDepth: 4, stringUnit: 'binary' })
            .filter((v) => typeof v === 'object' && v !== null),
        },
      );
      await fuzz(
        'whatsapp meta: signed JSON',
        fc.asyncProperty(body, fc.constantFrom(...JSON_TYPES), async (value, type) => {
          const raw = JSON.stringify(value);
          const res = await post(raw, type, sign(raw));
          expectAck(res, raw, 'signed JSON');
          await expectNoHandlerFailure(app);
        }),
        1_500,
      );
    });

    it('answers signed bodies that are not JSON objects with a 4xx (or 200) and stores nothing', async () => {
      await fuzz(
        'whatsapp meta: signed raw bodies',
        fc.asyncProperty(
          rawText,
          fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES),
          async (raw, type) => {
            const res = await post(raw, type, sign(raw));
            // check() has already failed any 5xx and any write on a 4xx.
            if (JSON_TYPES.includes(type) && parsesAsJsonContainer(raw.trim()))
              expectAck(res, raw, 'signed JSON text');
            else expect([200, 400, 401, 413, 415]).toContain(res.status);
          },
        ),
        400,
      );
    });

    it('refuses every wrong credential with 401 and stores nothing', async () => {
      const wa = whatsAppArbitraries(seeded.known);
      const secret = () => app.t.config.whatsapp.appSecret;
      const badSignature = fc.oneof(
        fc.constant(undefined),
        fc.constant(''),
        fc.stringMatching(/^sha256=[0-9a-f]{0,70}$/),
        nastyString(80).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        fc.string({ minLength: 1, maxLength: 30 }).map((key) => ({ key })),
        fc.constant('other-body'),
        fc.constant('sha1'),
        fc.constant('truncated'),
      );
      await fuzz(
        'whatsapp meta: bad credentials',
        fc.asyncProperty(nearValid(wa.envelope, 1), badSignature, async (value, bad) => {
          const raw = JSON.stringify(value);
          let signature: string | undefined;
          if (typeof bad === 'object') {
            signature = `sha256=${createHmac('sha256', `${secret()}${bad.key}`).update(raw).digest('hex')}`;
          } else if (bad === 'other-body') signature = sign(`${raw} `);
          else if (bad === 'sha1') signature = sign(raw).replace('sha256=', 'sha1=');
          else if (bad === 'truncated') signature = sign(raw).slice(0, -1);
          else signature = bad;
          const res = await post(raw, 'application/json', signature);
          expect(res.status).toBe(401);
        }),
        250,
      );
    });

    it('answers the verification GET with 200 only for the right token, 403 otherwise', async () => {
      const queryValue = fc.oneof(nastyString(40), fc.constant(undefined));
      await fuzz(
        'whatsapp meta: verification GET',
        fc.asyncProperty(
          fc.oneof(fc.constant('subscribe'), queryValue),
          fc.oneof(fc.constant('right'), queryValue),
          queryValue,
          async (mode, token, challenge) => {
            const params = new URLSearchParams();
            const put = (k: string, v: string | undefined) => {
              if (v !== undefined) params.append(k, v.replace(/[\ud800-\udfff]/g, '?'));
            };
            put('hub.mode', mode);
            put('hub.verify_token', token === 'right' ? app.t.config.whatsapp.verifyToken : token);
            put('hub.challenge', challenge);
            const res = await app.check({
              method: 'GET',
              path: `/whatsapp/webhook?${params.toString()}`,
            });
            const ok = mode === 'subscribe' && token === 'right' && challenge !== undefined;
            expect(res.status).toBe(ok ? 200 : 403);
          },
        ),
        250,
      );
    });
  });

  describe("Africa's Talking callbacks", () => {
    const secret = () => app.t.config.sms.webhookSecret;
    const sms = () =>
      smsArbitraries(seeded.known, [
        seeded.merchant.phone,
        ...seeded.invoices.map((i) => i.customerPhone),
      ]);
    const garbage = fc.oneof(
      { weight: 5, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('%zz', '%', '&&&', '=', 'a=%E0%A4%A', '=%00', 'text'),
      },
    );
    const asBody = (fields: FormField[], junk: string, json: boolean) =>
      json
        ? { type: 'application/json', body: JSON.stringify(Object.fromEntries(fields)) }
        : { type: 'application/x-www-form-urlencoded', body: formEncode(fields, junk) };

    const callback = (path: string, body: { type: string; body: string }) =>
      app.check({
        method: 'POST',
        path,
        headers: { 'Content-Type': body.type },
        body: body.body,
      });

    it('acknowledges every inbound SMS body on the right secret with 200', async () => {
      await fuzz(
        'sms: inbound',
        fc.asyncProperty(sms().inbound, garbage, fc.boolean(), async (fields, junk, json) => {
          const res = await callback(
            `/sms/inbound/${secret()}`,
            asBody(fields, junk, json && junk === ''),
          );
          expect({ status: res.status, body: res.body }).toEqual({
            status: 200,
            body: { ok: true },
          });
          // The bot runs after the answer now: a failure there no longer shows as a 5xx.
          await expectNoHandlerFailure(app);
        }),
        900,
      );
    });

    it('acknowledges every delivery report body on the right secret with 200', async () => {
      await fuzz(
        'sms: delivery report',
        fc.asyncProperty(sms().status, garbage, fc.boolean(), async (fields, junk, json) => {
          const res = await callback(
            `/sms/status/${secret()}`,
            asBody(fields, junk, json && junk === ''),
          );
          expect({ status: res.status, body: res.body }).toEqual({
            status: 200,
            body: { ok: true },
          });
          await expectNoHandlerFailure(app);
        }),
        600,
      );
    });

    it('answers a wrong path secret with 404 and stores nothing', async () => {
      const wrong = fc.oneof(
        pathSegment,
        fc.constantFrom('upper', 'suffix', 'prefix', 'encoded-slash', 'empty'),
      );
      await fuzz(
        'sms: wrong secret',
        fc.asyncProperty(
          fc.constantFrom('inbound', 'status', 'optout'),
          wrong,
          sms().inbound,
          async (kind, bad, fields) => {
            const s = secret();
            const segment =
              bad === 'upper'
                ? s.toUpperCase() === s
                  ? `${s}X`
                  : s.toUpperCase()
                : bad === 'suffix'
                  ? `${s}x`
                  : bad === 'prefix'
                    ? s.slice(0, -1)
                    : bad === 'encoded-slash'
                      ? `${s}%2F`
                      : bad === 'empty'
                        ? ''
                        : bad;
            fc.pre(segment !== s);
            const res = await callback(`/sms/${kind}/${segment}`, asBody(fields, '', false));
            // A percent-escape that does not decode is refused before routing (400).
            expect([400, 404]).toContain(res.status);
          },
        ),
        250,
      );
    });

    it('acknowledges every opt-out notification on the right secret, when the route exists', async () => {
      const probe = await app.send({
        method: 'POST',
        path: `/sms/optout/${secret()}`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      if (probe.status === 404) {
        process.stdout.write(
          'sms opt-out callback: no route /sms/optout/:secret, nothing to fuzz\n',
        );
        return;
      }
      await fuzz(
        'sms: opt-out',
        fc.asyncProperty(sms().optOut, garbage, async (fields, junk) => {
          const res = await callback(`/sms/optout/${secret()}`, asBody(fields, junk, false));
          expect(res.status).toBe(200);
        }),
        300,
      );
    });
  });

  describe('Daraja STK callback', () => {
    const secret = () => app.t.config.mpesa.callbackSecret;
    const ACK = { ResultCode: 0, ResultDesc: 'Accepted' };

    it('acknowledges every body on the right secret with 200 and the Accepted answer', async () => {
      const daraja = darajaArbitraries(seeded.known);
      const body = fc.oneof(
        {
          weight: 6,
          arbitrary: nearValid(daraja.callback, 3).map((v) => ({
            type: 'application/json',
            raw: JSON.stringify(v),
          })),
        },
        {
          weight: 1,
          arbitrary: fc
            .jsonValue({ maxDepth: 4, stringUnit: 'binary' })
            .map((v) => ({ type: 'application/json', raw: JSON.stringify(v) })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              rawText,
              fc.constantFrom(
                'application/json',
                'text/plain',
                'application/x-www-form-urlencoded',
              ),
            )
            .map(([raw, type]) => ({ type, raw })),
        },
        {
          weight: 1,
          arbitrary: hugeString.map((s) => ({
            type: 'application/json',
            raw: `{"Body":{"stkCallback":${JSON.stringify(s)}}}`,
          })),
        },
      );
      await fuzz(
        'daraja: callback',
        fc.asyncProperty(body, async ({ type, raw }) => {
          const res = await app.check({
            method: 'POST',
            path: `/payments/stk/callback/${secret()}`,
            headers: { 'Content-Type': type },
            body: raw,
          });
          expectAck(res, raw, 'daraja callback');
          expect(res.body).toEqual(ACK);
        }),
        1_000,
      );
    });

    it('answers a wrong path secret with 404 and stores nothing', async () => {
      const daraja = darajaArbitraries(seeded.known);
      await fuzz(
        'daraja: wrong secret',
        fc.asyncProperty(pathSegment, daraja.callback, async (segment, body) => {
          fc.pre(segment !== secret() && segment !== '');
          const res = await app.check({
            method: 'POST',
            path: `/payments/stk/callback/${segment}`,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
          expect([400, 404]).toContain(res.status);
        }),
        200,
      );
    });
  });

  it('is still healthy after all of it', async () => {
    await app.settle();
    await expectHealthy(app);
  });
});

describe('fuzz: WhatsApp webhook (360dialog header secret)', () => {
  let app: FuzzApp;
  let seeded: Seeded;

  beforeAll(async () => {
    app = await startFuzzApp({ WABA_PROVIDER: '360dialog' });
    seeded = await seed(app);
  }, 120_000);
  afterAll(async () => {
    if (!app) return;
    await setAsideQueuedWork(app);
    await app.close();
  });

  const post = (raw: string, secret: string | undefined) =>
    app.check({
      method: 'POST',
      path: '/whatsapp/webhook',
      headers: {
        'Content-Type': 'application/json',
        ...(secret === undefined ? {} : { 'X-Webhook-Secret': secret }),
      },
      body: raw,
    });

  it('acknowledges every JSON body carrying the right secret with 200', async () => {
    const wa = whatsAppArbitraries(seeded.known);
    await fuzz(
      'whatsapp 360dialog: JSON with secret',
      fc.asyncProperty(
        fc.oneof(nearValid(wa.envelope, 4), nearValid(wa.value, 3)),
        async (value) => {
          const raw = JSON.stringify(value);
          const res = await post(raw, app.t.config.whatsapp.webhookSecret);
          expectAck(res, raw, '360dialog JSON');
          await expectNoHandlerFailure(app);
        },
      ),
      500,
    );
  });

  it('refuses a missing or wrong secret with 401 and stores nothing', async () => {
    const wa = whatsAppArbitraries(seeded.known);
    const wrong = fc.oneof(
      fc.constant(undefined),
      nastyString(60).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      fc.constantFrom('suffix', 'prefix', 'meta'),
    );
    await fuzz(
      'whatsapp 360dialog: bad secret',
      fc.asyncProperty(nearValid(wa.envelope, 1), wrong, async (value, bad) => {
        const raw = JSON.stringify(value);
        const secret = app.t.config.whatsapp.webhookSecret;
        const given =
          bad === 'suffix'
            ? `${secret}x`
            : bad === 'prefix'
              ? secret.slice(0, -1)
              : bad === 'meta'
                ? signMetaPayload(raw, app.t.config.whatsapp.appSecret)
                : bad;
        fc.pre(given !== secret);
        const res = await post(raw, given);
        expect(res.status).toBe(401);
      }),
      150,
    );
  });

  it('is still healthy after all of it', async () => {
    await app.settle();
    await expectHealthy(app);
  });
});
