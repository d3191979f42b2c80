/**
 * Defects the fuzzer found in code other people own, reported and not fixed yet. While one is
 * listed, the generators for its endpoint leave out what triggers it, so the rest of the
 * endpoint keeps being fuzzed and the run stays green; a sentinel test replays the
 * counterexample, expects the 500, and turns red the day the defect is fixed: then delete the
 * entry and its sentinel. FUZZ_STRICT=1 fuzzes everything regardless.
 */
export const FUZZ_STRICT = process.env.FUZZ_STRICT === '1';

export interface KnownDefect {
  id: string;
  summary: string;
}

export const KNOWN_DEFECTS = {
  smsUnstorableText: {
    id: 'SMS-1',
    summary:
      "Africa's Talking callbacks whose field names or values hold NUL (or, as JSON, a lone " +
      'surrogate) answer 500: inbound_events.payload (jsonb) refuses them.',
  },
  darajaUnstorableText: {
    id: 'DARAJA-1',
    summary:
      'STK callbacks whose JSON holds NUL or a lone surrogate in any string or key answer 500: ' +
      'inbound_events (text external_id, jsonb payload) refuses them.',
  },
  darajaHugeAmount: {
    id: 'DARAJA-2',
    summary:
      'A success callback for an unknown CheckoutRequestID whose Amount is a whole number past ' +
      'PostgreSQL integer (1e308, 3000000000) answers 500 from OrphanCallbackMatcher.',
  },
  darajaHugeResultCode: {
    id: 'DARAJA-3',
    summary:
      'A callback for a waiting push whose ResultCode is a whole number past PostgreSQL integer ' +
      '(-1.7e57, 3000000000, "99999999999") answers 500 from PaymentResultsService.applyIn.',
  },
} satisfies Record<string, KnownDefect>;

export type KnownDefectName = keyof typeof KNOWN_DEFECTS;

/** Known defects still skipped in this run. */
export const skipped = (name: KnownDefectName): boolean => !FUZZ_STRICT && name in KNOWN_DEFECTS;

// eslint-disable-next-line no-control-regex -- NUL is what triggers the defects
const TRIGGERS = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPED_TRIGGERS = /\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/** The value with NUL and lone surrogates taken out of every string and key. */
export function withoutUnstorableText<T>(value: T): T {
  const clean = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.replace(TRIGGERS, '');
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((item) => clean(item, depth + 1));
    return Object.fromEntries(
      Object.entries(v).map(([k, item]) => [k.replace(TRIGGERS, ''), clean(item, depth + 1)]),
    );
  };
  return clean(value, 0) as T;
}

const INT4_MAX = 2_147_483_647;
const pastInt4 = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > INT4_MAX) ||
  (typeof v === 'string' && /^-?\d+$/.test(v.trim()) && Math.abs(Number(v.trim())) > INT4_MAX);

/**
 * Daraja values PostgreSQL's integer cannot hold, where they reach one: an item named Amount
 * (DARAJA-2) gets 1500, a ResultCode (DARAJA-3) gets 1032. Each only while its defect is skipped.
 */
export function withoutIntegerOverflows<T>(value: T, amounts: boolean, resultCodes: boolean): T {
  const clean = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((item) => clean(item, depth + 1));
    const object: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v))
      object[k] =
        resultCodes && k === 'ResultCode' && pastInt4(item) ? 1032 : clean(item, depth + 1);
    if (
      amounts &&
      object.Name === 'Amount' &&
      typeof object.Value === 'number' &&
      pastInt4(object.Value)
    )
      object.Value = 1500;
    return object;
  };
  return clean(value, 0) as T;
}

/** JSON text without NUL characters and without the escapes that would decode to triggers. */
export const withoutEscapedUnstorableText = (raw: string): string =>
  raw.replace(TRIGGERS, '').replace(ESCAPED_TRIGGERS, '');
