import { META_SIGNATURE_VECTORS } from '../../../test/utils/protocol-known-answers';
import { signMetaPayload, verifyMetaSignature } from './whatsapp-signature';

// The simulator's signer meets the same vectors in src/sandbox/whatsapp/meta-webhook-signature.kat.spec.ts.
describe('WhatsApp client signature: known answers', () => {
  it.each(META_SIGNATURE_VECTORS)('signs $name', ({ secret, body, header }) => {
    expect(signMetaPayload(Buffer.from(body, 'utf8'), secret)).toBe(header);
    expect(signMetaPayload(body, secret)).toBe(header);
  });

  it.each(META_SIGNATURE_VECTORS)(
    'verifies $name and refuses it under another secret',
    ({ secret, body, header }) => {
      const raw = Buffer.from(body, 'utf8');
      expect(verifyMetaSignature(raw, header, secret)).toBe(true);
      expect(verifyMetaSignature(raw, header, `${secret}x`)).toBe(false);
    },
  );
});
