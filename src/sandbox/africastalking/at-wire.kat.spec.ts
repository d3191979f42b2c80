import {
  AT_RECIPIENT_STATUS_VECTORS,
  AT_REPORT_STATUS_VECTORS,
  SMS_SEGMENT_VECTORS,
} from '../../../test/utils/protocol-known-answers';
import {
  AT_AUTH_FAILURE_TEXT,
  AT_RECIPIENT_CODES,
  AT_RECIPIENT_STATUSES,
  AT_REPORT_STATUSES,
} from './at-wire';
import { simulatedSegmentCount } from './sms-segments';

/** Every character of the GSM 03.38 default alphabet but the escape, and the extension table. */
const DEFAULT_ALPHABET =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION_TABLE = '\f^{}\\[~]|€';

// The app's client meets the same vectors in src/channels/sms/africastalking-status.kat.spec.ts.
describe("simulated Africa's Talking: known answers", () => {
  it('knows exactly the recipient status codes of PROTOCOLS.md', () => {
    expect(AT_RECIPIENT_CODES).toEqual(AT_RECIPIENT_STATUS_VECTORS.map(([code]) => code));
  });

  it.each(AT_RECIPIENT_STATUS_VECTORS)(
    'answers statusCode %i as %s (%s)',
    (code, name, meaning) => {
      expect(AT_RECIPIENT_STATUSES[code]).toEqual({ name, accepted: meaning === 'accepted' });
    },
  );

  it('sends the delivery report statuses of PROTOCOLS.md', () => {
    expect(AT_REPORT_STATUSES).toEqual(AT_REPORT_STATUS_VECTORS.map(([status]) => status));
  });

  it('refuses a bad key with the literal text of PROTOCOLS.md', () => {
    expect(AT_AUTH_FAILURE_TEXT).toBe('The supplied authentication is invalid');
  });

  it.each(SMS_SEGMENT_VECTORS)('bills %s as %i segment(s)', (_label, text, segments) => {
    expect(simulatedSegmentCount(text)).toBe(segments);
  });

  it('counts each default-alphabet character as one septet and each extension as two', () => {
    expect([...DEFAULT_ALPHABET]).toHaveLength(127);
    expect(simulatedSegmentCount(DEFAULT_ALPHABET + 'a'.repeat(33))).toBe(1);
    expect(simulatedSegmentCount(DEFAULT_ALPHABET + 'a'.repeat(34))).toBe(2);
    for (const ch of EXTENSION_TABLE) {
      expect(simulatedSegmentCount(ch.repeat(80))).toBe(1);
      expect(simulatedSegmentCount(ch.repeat(81))).toBe(2);
    }
    // The escape code itself is no character: a text holding it goes out as UCS-2.
    expect(simulatedSegmentCount(`\u001b${'a'.repeat(70)}`)).toBe(2);
  });
});
