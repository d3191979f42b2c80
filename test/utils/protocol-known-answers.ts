/**
 * Fixed vectors for the providers' wire protocols, computed outside the project (openssl,
 * base64) or copied from PROTOCOLS.md, never from the code under test. The app's clients and the
 * sandbox simulators are checked against these same literals in separate specs, so a misread
 * protocol on either side fails its own spec instead of being confirmed by the other.
 */

/**
 * X-Hub-Signature-256 (PROTOCOLS.md §2): `sha256=` + hex HMAC-SHA256 of the raw body bytes keyed
 * with the app secret. Computed with `printf %s <body> | openssl dgst -sha256 -hmac <secret>`.
 */
export const META_SIGNATURE_VECTORS = [
  {
    name: 'the common HMAC-SHA256 test vector',
    secret: 'key',
    body: 'The quick brown fox jumps over the lazy dog',
    header: 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
  },
  {
    name: 'a webhook envelope',
    secret: 'kat-app-secret',
    body: '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[]}]}',
    header: 'sha256=c399397a7df824f37a696d29e3ef21c3c3eff6698c3f68b148cad99f908fdea8',
  },
  {
    name: 'a body with non-ASCII text (signed as UTF-8 bytes)',
    secret: 'kat-app-secret',
    body: '{"text":{"body":"Asante 🙏 café"}}',
    header: 'sha256=401e38183ace1201aef2f75c9ab2546f373a1c92f5d101b2744773e5fc3447ca',
  },
] as const;

/**
 * STK Password (PROTOCOLS.md §1): base64(BusinessShortCode + Passkey + Timestamp) for
 * Safaricom's published sandbox shortcode and passkey. Computed with
 * `printf %s 174379<passkey>20260101120000 | base64`. 12:00 in Nairobi is 09:00 UTC.
 */
export const STK_PASSWORD_VECTOR = {
  shortcode: '174379',
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
  timestamp: '20260101120000',
  at: '2026-01-01T09:00:00Z',
  password:
    'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjYwMTAxMTIwMDAw',
} as const;

/** Africa's Talking recipient statusCode (PROTOCOLS.md §3): code, name, whether AT took it. */
export const AT_RECIPIENT_STATUS_VECTORS: readonly [number, string, 'accepted' | 'refused'][] = [
  [100, 'Processed', 'accepted'],
  [101, 'Sent', 'accepted'],
  [102, 'Queued', 'accepted'],
  [401, 'RiskHold', 'refused'],
  [402, 'InvalidSenderId', 'refused'],
  [403, 'InvalidPhoneNumber', 'refused'],
  [404, 'UnsupportedNumberType', 'refused'],
  [405, 'InsufficientBalance', 'refused'],
  [406, 'UserInBlacklist', 'refused'],
  [407, 'CouldNotRoute', 'refused'],
  [409, 'DoNotDisturbRejection', 'refused'],
  [500, 'InternalServerError', 'refused'],
  [501, 'GatewayError', 'refused'],
  [502, 'RejectedByGateway', 'refused'],
];

/** Delivery report `status` (PROTOCOLS.md §3); Rejected, Success and Failed are final. */
export const AT_REPORT_STATUS_VECTORS: readonly [string, 'final' | 'interim'][] = [
  ['Sent', 'interim'],
  ['Submitted', 'interim'],
  ['Buffered', 'interim'],
  ['Rejected', 'final'],
  ['Success', 'final'],
  ['Failed', 'final'],
];

/**
 * Segments an SMS is billed as (3GPP TS 23.038): GSM-7 160 in one, 153 per part, extension
 * characters two septets; UCS-2 70 in one, 67 per part, counted in UTF-16 units; no character
 * split across parts.
 */
export const SMS_SEGMENT_VECTORS: readonly [string, string, number][] = [
  ['empty text', '', 0],
  ['160 GSM-7 characters', 'a'.repeat(160), 1],
  ['161 GSM-7 characters', 'a'.repeat(161), 2],
  ['306 GSM-7 characters (2 × 153)', 'a'.repeat(306), 2],
  ['307 GSM-7 characters', 'a'.repeat(307), 3],
  ['160 Greek capitals of the default alphabet', 'Δ'.repeat(160), 1],
  ['80 euro signs (extension table, 2 septets each)', '€'.repeat(80), 1],
  ['81 euro signs', '€'.repeat(81), 2],
  ['159 letters and a brace', `${'a'.repeat(159)}{`, 2],
  ['158 letters and a bracket', `${'a'.repeat(158)}[`, 1],
  ['an escape pair that would straddle two parts', `${'a'.repeat(152)}€${'a'.repeat(152)}`, 3],
  ['70 UCS-2 characters', '’'.repeat(70), 1],
  ['71 UCS-2 characters', '’'.repeat(71), 2],
  ['134 UCS-2 code units (2 × 67)', `${'a'.repeat(133)}’`, 2],
  ['135 UCS-2 code units', `${'a'.repeat(134)}’`, 3],
  ['71 lowercase c-cedillas (only Ç is GSM-7)', 'ç'.repeat(71), 2],
  ['35 emoji (70 UTF-16 units)', '🙏'.repeat(35), 1],
  ['36 emoji (72 UTF-16 units)', '🙏'.repeat(36), 2],
];
