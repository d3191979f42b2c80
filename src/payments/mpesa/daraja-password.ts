/**
 * Daraja's Password/Timestamp pair. Safaricom compares the Timestamp against East Africa Time
 * and re-derives the Password from it, so both must come from one clock reading.
 */
const NAIROBI_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Africa/Nairobi',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** YYYYMMDDHHmmss in Africa/Nairobi. */
export function darajaTimestamp(at: Date = new Date()): string {
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    NAIROBI_CLOCK.formatToParts(at).find((p) => p.type === type)?.value ?? '';
  return `${part('year')}${part('month')}${part('day')}${part('hour')}${part('minute')}${part('second')}`;
}

/** base64(BusinessShortCode + Passkey + Timestamp), plain concatenation. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, 'utf8').toString('base64');
}

export interface StkCredentials {
  Password: string;
  Timestamp: string;
}

export function stkCredentials(shortcode: string, passkey: string, at?: Date): StkCredentials {
  const Timestamp = darajaTimestamp(at);
  return { Password: stkPassword(shortcode, passkey, Timestamp), Timestamp };
}
