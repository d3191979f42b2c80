import {
  AT_RECIPIENT_STATUS_VECTORS,
  AT_REPORT_STATUS_VECTORS,
  SMS_SEGMENT_VECTORS,
} from '../../../test/utils/protocol-known-answers';
import { segmentCount } from '../../common/text/gsm7';
import {
  DELIVERY_STATUSES,
  deliveryReportEffect,
  isDeliveryStatus,
  RECIPIENT_STATUS,
  recipientOutcome,
} from './africastalking-status';

// The simulator meets the same vectors in src/sandbox/africastalking/at-wire.kat.spec.ts.
describe("Africa's Talking client: known answers", () => {
  it('knows exactly the recipient status codes of PROTOCOLS.md', () => {
    expect(Object.keys(RECIPIENT_STATUS).map(Number)).toEqual(
      AT_RECIPIENT_STATUS_VECTORS.map(([code]) => code),
    );
  });

  it.each(AT_RECIPIENT_STATUS_VECTORS)('reads statusCode %i as %s (%s)', (code, name, meaning) => {
    expect(RECIPIENT_STATUS[code]?.name).toBe(name);
    const outcome = recipientOutcome({ statusCode: code, messageId: 'ATXid_kat' });
    expect(outcome.status === 'accepted' ? 'accepted' : 'refused').toBe(meaning);
  });

  it.each(AT_REPORT_STATUS_VECTORS)('reads delivery report %s as %s', (status, finality) => {
    if (!isDeliveryStatus(status)) throw new Error(`${status} is not a known delivery status`);
    expect(DELIVERY_STATUSES).toContain(status);
    expect(deliveryReportEffect(status).final ? 'final' : 'interim').toBe(finality);
  });

  it.each(SMS_SEGMENT_VECTORS)('bills %s as %i segment(s)', (_label, text, segments) => {
    expect(segmentCount(text)).toBe(segments);
  });
});
