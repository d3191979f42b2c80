import {
  authenticateWhatsAppWebhook,
  signMetaPayload,
  verifyMetaSignature,
} from './whatsapp-signature';

const SECRET = 'app-secret-123';
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

describe('verifyMetaSignature', () => {
  it('accepts the HMAC-SHA256 of the raw body', () => {
    expect(verifyMetaSignature(body, signMetaPayload(body, SECRET), SECRET)).toBe(true);
  });

  it('accepts upper-case hex', () => {
    const hex = signMetaPayload(body, SECRET).slice('sha256='.length);
    expect(verifyMetaSignature(body, `sha256=${hex.toUpperCase()}`, SECRET)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a missing or malformed header', () => {
    const sig = signMetaPayload(body, SECRET);
    const tampered = Buffer.from(body.toString().replace('entry', 'entrz'));
    expect(verifyMetaSignature(tampered, sig, SECRET)).toBe(false);
    expect(verifyMetaSignature(body, signMetaPayload(body, 'other-secret'), SECRET)).toBe(false);
    expect(verifyMetaSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyMetaSignature(body, '', SECRET)).toBe(false);
    expect(verifyMetaSignature(body, sig.replace('sha256=', ''), SECRET)).toBe(false);
    expect(verifyMetaSignature(body, 'sha1=abc', SECRET)).toBe(false);
    // Shorter and longer digests must not throw (timingSafeEqual wants equal lengths).
    expect(verifyMetaSignature(body, sig.slice(0, -2), SECRET)).toBe(false);
    expect(verifyMetaSignature(body, `${sig}00`, SECRET)).toBe(false);
  });

  it('refuses everything when no app secret is configured', () => {
    expect(verifyMetaSignature(body, signMetaPayload(body, ''), '')).toBe(false);
  });

  it('checks the exact bytes, not a re-serialisation', () => {
    const spaced = Buffer.from('{ "object": "whatsapp_business_account", "entry": [] }');
    expect(verifyMetaSignature(spaced, signMetaPayload(body, SECRET), SECRET)).toBe(false);
  });
});

describe('authenticateWhatsAppWebhook', () => {
  const base = { rawBody: body, appSecret: SECRET, webhookSecret: 'hook-secret-0000' };

  it('uses the Meta signature for provider meta', () => {
    const signed = { 'x-hub-signature-256': signMetaPayload(body, SECRET) };
    expect(authenticateWhatsAppWebhook({ ...base, provider: 'meta', headers: signed })).toBe(true);
    // The 360dialog header alone does not authenticate a Meta webhook.
    expect(
      authenticateWhatsAppWebhook({
        ...base,
        provider: 'meta',
        headers: { 'x-webhook-secret': 'hook-secret-0000' },
      }),
    ).toBe(false);
  });

  it('uses the header secret for provider 360dialog', () => {
    expect(
      authenticateWhatsAppWebhook({
        ...base,
        provider: '360dialog',
        headers: { 'x-webhook-secret': 'hook-secret-0000' },
      }),
    ).toBe(true);
    expect(
      authenticateWhatsAppWebhook({
        ...base,
        provider: '360dialog',
        headers: { 'x-hub-signature-256': signMetaPayload(body, SECRET) },
      }),
    ).toBe(false);
  });

  it('refuses a repeated header', () => {
    expect(
      authenticateWhatsAppWebhook({
        ...base,
        provider: '360dialog',
        headers: { 'x-webhook-secret': ['hook-secret-0000', 'hook-secret-0000'] },
      }),
    ).toBe(false);
  });
});
