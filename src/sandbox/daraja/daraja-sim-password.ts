/**
 * The simulated Daraja's reading of an STK Password (PROTOCOLS.md §1): base64 of the
 * BusinessShortCode, the passkey and the request's own Timestamp, joined with nothing between.
 * Checked by decoding what the client sent, like Daraja re-deriving it from the Timestamp, so a
 * Password built from another clock reading is refused.
 */
export function stkPasswordMatches(
  password: string,
  shortcode: string,
  passkey: string,
  timestamp: string,
): boolean {
  const decoded = Buffer.from(password, 'base64').toString('utf8');
  return decoded === shortcode + passkey + timestamp;
}
