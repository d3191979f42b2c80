import fc from 'fast-check';
import {
  deepJsonText,
  formEncode,
  invoiceRefLike,
  kenyanMobile,
  nastyString,
  nearValid,
  pathSegment,
  phoneLike,
  weirdNumber,
  wellFormed,
  wrongValue,
} from './support/arbitraries';
import { expectHealthy, type FuzzApp, type FuzzResponse, startFuzzApp } from './support/fuzz-app';
import { fuzz } from './support/fuzz-run';
import { seed, type Seeded, setAsideQueuedWork } from './support/seed';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Header values Node will send: printable ASCII and Latin-1. */
const headerValue = (maxLength: number) =>
  fc
    .string({ unit: 'binary-ascii', maxLength })
    .map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));

/** A cursor that decodes: the right shape, maybe an impossible time. */
const cursorLike = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '000Z')),
      ),
      fc.uuid(),
    )
    .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url')),
  fc
    .oneof(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 30n }))
    .map((n) => Buffer.from(String(n)).toString('base64url')),
  nastyString(60),
);

const dateLike = fc.oneof(
  fc
    .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.constantFrom(
    '0000-01-01',
    '9999-12-31',
    '2026-02-30',
    '2026-13-01',
    '-000001-01-01',
    '+275760-09-13',
    '2026-W01',
    '20260101',
  ),
  nastyString(30),
);

/** Query strings with the given parameters (each sometimes repeated, junk, or missing) and extras. */
function queryString(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const entries = Object.entries(params).map(([name, value]) =>
    fc.oneof(
      { weight: 3, arbitrary: value.map((v): [string, string][] => [[name, v]]) },
      { weight: 2, arbitrary: fc.constant<[string, string][]>([]) },
      {
        weight: 1,
        arbitrary: fc.tuple(value, value).map(([a, b]): [string, string][] => [
          [name, a],
          [name, b],
        ]),
      },
      { weight: 1, arbitrary: nastyString(30).map((v): [string, string][] => [[name, v]]) },
    ),
  );
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.array(fc.tuple(nastyString(10), nastyString(10)), { maxLength: 2 }),
    )
    .map(([groups, extra]) => {
      const fields = [...groups.flat(), ...extra];
      return fields.length === 0 ? '' : `?${formEncode(fields)}`;
    });
}

/** A JSON body: near-valid, any JSON, broken text, or nested thousands deep. */
function jsonBody(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ type: string; raw: string }> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: nearValid(valid, 3).map((v) => ({ type: JSON_TYPE, raw: JSON.stringify(v) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(nastyString(12), wrongValue, { maxKeys: 4 })
        .map((v) => ({ type: JSON_TYPE, raw: JSON.stringify(v) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          nastyString(60),
          fc.constantFrom(JSON_TYPE, 'text/plain', FORM_TYPE, 'application/json; charset=latin1'),
        )
        .map(([raw, type]) => ({ type, raw })),
    },
    { weight: 1, arbitrary: deepJsonText.map((raw) => ({ type: JSON_TYPE, raw })) },
  );
}

function expectOneOf(res: FuzzResponse, statuses: number[], label: string): void {
  if (!statuses.includes(res.status))
    throw new Error(`${label}: unexpected ${res.status} ${res.text.slice(0, 300)}`);
}

describe('fuzz: merchant API, pay page and admin API', () => {
  let app: FuzzApp;
  let seeded: Seeded;
  let adminKey: string;

  beforeAll(async () => {
    app = await startFuzzApp();
    seeded = await seed(app);
    adminKey = app.t.config.adminApiKey;
  }, 120_000);
  afterAll(async () => {
    if (!app) return;
    await setAsideQueuedWork(app);
    await app.close();
  });

  /** Mostly the right credential; sometimes none, a wrong one, or the other kind. */
  const authorization = (right: () => string, otherKind: () => string) =>
    fc
      .oneof(
        { weight: 12, arbitrary: fc.constant('right') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('none', 'other-kind', 'lowercase-scheme', 'no-scheme'),
        },
        { weight: 1, arbitrary: headerValue(80) },
      )
      .map((kind): Record<string, string> => {
        switch (kind) {
          case 'right':
            return { Authorization: `Bearer ${right()}` };
          case 'none':
            return {};
          case 'other-kind':
            return { Authorization: `Bearer ${otherKind()}` };
          case 'lowercase-scheme':
            return { Authorization: `bearer ${right()}` };
          case 'no-scheme':
            return { Authorization: right() };
          default:
            return { Authorization: kind };
        }
      });
  const merchantAuth = () =>
    authorization(
      () => seeded.merchant.apiKey,
      () => adminKey,
    );
  const adminAuth = () =>
    authorization(
      () => adminKey,
      () => seeded.merchant.apiKey,
    );

  describe('merchant API', () => {
    it('POST /invoices: creates (201) or refuses with a 4xx that writes nothing', async () => {
      const body = fc.record(
        {
          customerPhone: phoneLike,
          customerName: fc.oneof(fc.constant('Jane Wanjiku'), nastyString(110)),
          amount: fc.oneof(
            { weight: 4, arbitrary: fc.integer({ min: 1, max: 250_000 }) },
            { weight: 2, arbitrary: weirdNumber },
            { weight: 1, arbitrary: fc.constantFrom('1500', '1,500', '1.5k', '') },
          ),
          description: fc.oneof(fc.constantFrom('Logo design', 'Website'), nastyString(130)),
          dueDate: dateLike,
        },
        { requiredKeys: ['customerPhone', 'amount', 'description'] },
      );
      const idempotencyKey = fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.constantFrom('key-1', 'key-2', 'key-3') },
        { weight: 1, arbitrary: headerValue(220) },
      );
      await fuzz(
        'api: POST /invoices',
        fc.asyncProperty(
          jsonBody(body),
          merchantAuth(),
          idempotencyKey,
          async ({ type, raw }, auth, key) => {
            const res = await app.check({
              method: 'POST',
              path: '/invoices',
              headers: {
                'Content-Type': type,
                ...auth,
                ...(key === undefined ? {} : { 'Idempotency-Key': key }),
              },
              body: raw,
            });
            expectOneOf(res, [200, 201, 400, 401, 403, 409, 413, 415, 422], 'POST /invoices');
            if (res.status === 201) {
              const created = res.body as { amount: number; description: string; status: string };
              expect(Number.isInteger(created.amount)).toBe(true);
              expect(created.amount).toBeGreaterThanOrEqual(1);
              expect(created.amount).toBeLessThanOrEqual(250_000);
              expect(created.description).toBe(created.description.trim());
            }
          },
        ),
        1_000,
      );
    });

    it('GET /invoices and /invoices/:ref and /payments/:id: answer 200 or a 4xx', async () => {
      const request = fc.oneof(
        queryString({
          status: fc.constantFrom('READY', 'sent', ' paid ', 'PAYMENT_INIT', 'nope'),
          cursor: cursorLike,
          limit: fc.oneof(fc.integer({ min: -5, max: 150 }).map(String), nastyString(8)),
        }).map((q) => `/invoices${q}`),
        fc
          .oneof(
            fc.constantFrom(...seeded.known.refs),
            invoiceRefLike.map((r) => encodeURIComponent(wellFormed(r))),
            pathSegment,
          )
          .map((ref) => `/invoices/${ref}`),
        fc
          .oneof(fc.constantFrom(...seeded.paymentIds), fc.uuid(), pathSegment)
          .map((id) => `/payments/${id}`),
      );
      await fuzz(
        'api: merchant reads',
        fc.asyncProperty(request, merchantAuth(), async (path, auth) => {
          const res = await app.check({ method: 'GET', path, headers: auth });
          expectOneOf(res, [200, 400, 401, 403, 404], `GET ${path}`);
        }),
        400,
      );
    });

    it('POST /payments/stk/initiate: starts (202) or refuses with a 4xx that writes nothing', async () => {
      const refs = [...seeded.known.refs];
      const body = fc.record(
        {
          invoiceRef: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...refs) },
            { weight: 1, arbitrary: fc.constantFrom(...refs).map((r) => ` ${r.toLowerCase()} `) },
            { weight: 2, arbitrary: invoiceRefLike },
          ),
          phone: fc.oneof(kenyanMobile, phoneLike),
          amount: fc.oneof(fc.integer({ min: 1, max: 250_000 }), weirdNumber, fc.constant('100')),
        },
        { requiredKeys: ['invoiceRef'] },
      );
      await fuzz(
        'api: POST /payments/stk/initiate',
        fc.asyncProperty(jsonBody(body), merchantAuth(), async ({ type, raw }, auth) => {
          const res = await app.check({
            method: 'POST',
            path: '/payments/stk/initiate',
            headers: { 'Content-Type': type, ...auth },
            body: raw,
          });
          expectOneOf(res, [202, 400, 401, 403, 404, 409, 413, 415], 'POST /payments/stk/initiate');
        }),
        600,
      );
    });
  });

  describe('pay page', () => {
    const token = () =>
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            ...[...seeded.invoices, ...seeded.otherInvoices].map((i) => i.payToken),
          ),
        },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        { weight: 1, arbitrary: pathSegment },
      );
    const lang = fc.oneof(
      fc.constant(''),
      fc.constantFrom('?lang=sw', '?lang=en', '?lang=fr', '?lang=', '?lang=sw&lang=en'),
      nastyString(10).map((l) => `?lang=${encodeURIComponent(wellFormed(l))}`),
    );

    it('POST /pay/:token/pay (form or JSON): starts (200/202) or refuses with a 4xx that writes nothing', async () => {
      const fields = fc.record(
        {
          phone: fc.oneof(kenyanMobile, phoneLike),
          amount: fc.oneof(
            fc.integer({ min: 1, max: 250_000 }).map(String),
            weirdNumber.map(String),
            nastyString(10),
          ),
        },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        {
          weight: 3,
          arbitrary: fields.map((f) => ({ type: FORM_TYPE, raw: formEncode(Object.entries(f)) })),
        },
        { weight: 3, arbitrary: jsonBody(fields) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('%zz', 'phone=%', 'phone=0712345678&phone=0712345679', '=&=')
            .map((raw) => ({ type: FORM_TYPE, raw })),
        },
      );
      await fuzz(
        'pay page: POST pay',
        fc.asyncProperty(
          token(),
          lang,
          body,
          fc.constantFrom(JSON_TYPE, 'text/html', '*/*', ''),
          async (t, l, { type, raw }, accept) => {
            const res = await app.check({
              method: 'POST',
              path: `/pay/${t}/pay${l}`,
              headers: { 'Content-Type': type, ...(accept ? { Accept: accept } : {}) },
              body: raw,
            });
            expectOneOf(res, [200, 202, 400, 404, 409, 413, 415], 'POST /pay/:token/pay');
          },
        ),
        600,
      );
    });

    it('GET the page, its status and its receipt: 200 or 404', async () => {
      await fuzz(
        'pay page: GETs',
        fc.asyncProperty(
          token(),
          fc.constantFrom('', '/status', '/receipt.pdf'),
          lang,
          async (t, what, l) => {
            const res = await app.check({ method: 'GET', path: `/pay/${t}${what}${l}` });
            expectOneOf(res, [200, 400, 404], `GET /pay/:token${what}`);
          },
        ),
        300,
      );
    });
  });

  describe('admin API', () => {
    it('list and read endpoints answer 200 or a 4xx for any query and id', async () => {
      const id = fc.oneof(
        fc.uuid(),
        fc.nat().map(String),
        fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
        pathSegment,
      );
      const path = fc.oneof(
        queryString({
          merchant: fc.oneof(fc.constant(seeded.merchant.id), fc.uuid()),
          status: fc.constantFrom('READY', 'paid', 'PAID', 'x'),
          from: dateLike,
          to: dateLike,
          q: fc.oneof(fc.constantFrom('INV-', 'Jane', '%', '_', '\\', "'"), nastyString(110)),
          cursor: cursorLike,
          limit: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), nastyString(8)),
        }).map((q) => `/admin/invoices${q}`),
        queryString({
          status: fc.constantFrom('pending', 'dead', 'DONE', 'x'),
          kind: nastyString(110),
          cursor: fc.oneof(
            cursorLike,
            fc
              .bigInt({ min: 0n, max: 10n ** 20n })
              .map((n) => Buffer.from(`o:${n}`).toString('base64url')),
          ),
          limit: fc.integer({ min: -5, max: 300 }).map(String),
        }).map((q) => `/admin/outbox${q}`),
        queryString({
          merchant: fc.oneof(fc.constant(seeded.merchant.id), fc.uuid()),
          status: fc.constantFrom('READY', 'paid'),
          from: dateLike,
          to: dateLike,
          q: nastyString(110),
          pii: fc.constantFrom('true', 'false', 'yes'),
        }).map((q) => `/admin/invoices.csv${q}`),
        queryString({
          merchant: fc.oneof(fc.constant(seeded.merchant.id), fc.uuid()),
          from: dateLike,
          to: dateLike,
        }).map((q) => `/stats/summary${q}`),
        fc
          .oneof(
            fc.constantFrom(...seeded.known.refs),
            invoiceRefLike.map((r) => encodeURIComponent(wellFormed(r))),
            pathSegment,
          )
          .map((ref) => `/admin/invoices/${ref}`),
        fc
          .tuple(
            fc.oneof(fc.constantFrom('invoice', 'conversation', 'delivery'), pathSegment),
            fc.option(id),
          )
          .map(([kind, i]) => `/admin/machines/${kind}${i === null ? '' : `/${i}`}`),
        fc.constantFrom(
          '/admin/merchants',
          '/admin/reconciliation',
          '/admin/machines',
          '/metrics',
          '/healthz',
          '/readyz',
        ),
      );
      await fuzz(
        'admin: reads',
        fc.asyncProperty(path, adminAuth(), async (p, auth) => {
          const res = await app.check({ method: 'GET', path: p, headers: auth });
          expectOneOf(res, [200, 400, 401, 403, 404], `GET ${p}`);
        }),
        700,
      );
    });

    it('write endpoints act (2xx) or refuse with a 4xx that writes nothing', async () => {
      // Invoices set aside for the admin to act on (the others keep their state for the rest).
      const spare = seeded.invoices.slice(3).map((i) => i.ref);
      const outboxIds = (
        await app.db.query<{ id: string }[]>(
          `SELECT id::text AS id FROM outbox ORDER BY id DESC LIMIT 5`,
        )
      ).map((r) => r.id);
      const numericId = fc.oneof(
        fc.constantFrom(...outboxIds),
        fc.nat().map(String),
        fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
        fc.constantFrom(
          '-1',
          '0',
          '1.5',
          '1e3',
          '0x10',
          '9223372036854775807',
          '9223372036854775808',
        ),
        pathSegment,
      );
      const paymentId = fc.oneof(fc.constantFrom(...seeded.paymentIds), fc.uuid(), pathSegment);
      const request = fc.oneof(
        jsonBody(
          fc.record(
            {
              name: fc.oneof(fc.constant('Fuzz Shop'), nastyString(110)),
              phone: phoneLike,
              locale: fc.constantFrom('en', 'sw', 'fr', ''),
            },
            { requiredKeys: ['name', 'phone'] },
          ),
        ).map((b) => ({ path: '/admin/merchants', ...b })),
        fc
          .oneof(fc.uuid(), pathSegment)
          .map((id) => ({ path: `/admin/merchants/${id}/rotate-key`, type: JSON_TYPE, raw: '{}' })),
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom(...spare),
              invoiceRefLike.map((r) => encodeURIComponent(wellFormed(r))),
              pathSegment,
            ),
            fc.constantFrom('resend', 'cancel'),
          )
          .map(([ref, action]) => ({
            path: `/admin/invoices/${ref}/${action}`,
            type: JSON_TYPE,
            raw: '',
          })),
        numericId.map((id) => ({ path: `/admin/outbox/${id}/retry`, type: JSON_TYPE, raw: '' })),
        paymentId.map((id) => ({
          path: `/admin/payments/${id}/requery`,
          type: JSON_TYPE,
          raw: '',
        })),
        fc
          .tuple(
            paymentId,
            jsonBody(
              fc.record(
                {
                  decision: fc.constantFrom('accept', 'reject', 'ACCEPT', ''),
                  note: nastyString(520),
                },
                { requiredKeys: [] },
              ),
            ),
          )
          .map(([id, b]) => ({ path: `/admin/payments/${id}/review`, ...b })),
      );
      await fuzz(
        'admin: writes',
        fc.asyncProperty(request, adminAuth(), async ({ path, type, raw }, auth) => {
          const res = await app.check({
            method: 'POST',
            path,
            headers: { 'Content-Type': type, ...auth },
            body: raw,
          });
          expectOneOf(res, [200, 201, 202, 400, 401, 403, 404, 409, 413, 415], `POST ${path}`);
        }),
        600,
      );
    });
  });

  it('is still healthy after all of it', async () => {
    await expectHealthy(app);
  });
});
