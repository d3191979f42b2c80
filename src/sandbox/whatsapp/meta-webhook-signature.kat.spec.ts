import { META_SIGNATURE_VECTORS } from '../../../test/utils/protocol-known-answers';
import { metaWebhookSignature } from './meta-webhook-signature';

// The app's verifier meets the same vectors in src/channels/whatsapp/whatsapp-signature.kat.spec.ts.
describe('simulated Meta webhook signature: known answers', () => {
  it.each(META_SIGNATURE_VECTORS)('signs $name', ({ secret, body, header }) => {
    expect(metaWebhookSignature(body, secret)).toBe(header);
    expect(metaWebhookSignature(Buffer.from(body, 'utf8'), secret)).toBe(header);
  });
});
