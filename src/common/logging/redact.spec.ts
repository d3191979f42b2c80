import { hashPhone, maskPhone, maskPhonesInText, redactUrl, sanitizeForLog } from './redact';

describe('log redaction', () => {
  it.each([
    ['254712345678', '2547****678'],
    ['+254712345678', '2547****678'],
    ['0712345678', '07****678'],
    ['0112 345 678', '01****678'],
  ])('masks %s as %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it('masks every phone number in free text', () => {
    const text = maskPhonesInText('to 0712345678 and +254 112 345 678, not order 12345');
    expect(text).not.toMatch(/712345678|112 345 678/);
    expect(text).toContain('order 12345');
  });

  it('hashes phones stably across formats', () => {
    expect(hashPhone('254712345678')).toBe(hashPhone('+254 712 345 678'));
    expect(hashPhone('254712345678')).not.toContain('712345678');
  });

  it('hides secret path segments and secret query values', () => {
    expect(redactUrl('/pay/abcdefSECRET/status')).toBe('/pay/[redacted]/status');
    expect(redactUrl('/sms/inbound/my-secret-path')).toBe('/sms/inbound/[redacted]');
    expect(redactUrl('/payments/stk/callback/cb-secret')).toBe('/payments/stk/callback/[redacted]');
    expect(redactUrl('/whatsapp/webhook?hub.verify_token=tok&hub.challenge=1')).toBe(
      '/whatsapp/webhook?hub.verify_token=[redacted]&hub.challenge=1',
    );
    expect(redactUrl('/x?phone=0712345678')).toBe('/x?phone=07****678');
    expect(redactUrl('/sandbox/users/%2B254711135460/inbox')).toBe(
      '/sandbox/users/2547****460/inbox',
    );
    expect(redactUrl('/x?to=%2B254711135460')).toBe('/x?to=2547****460');
  });

  it('removes secrets and bodies from structured log objects', () => {
    const out = sanitizeForLog({
      headers: { authorization: 'Bearer abc', 'd360-api-key': 'k' },
      phone: '254712345678',
      text: 'invoice 0712345678 500 cake',
      nested: { note: 'call 0712345678' },
    }) as Record<string, any>;
    expect(out.headers.authorization).toBe('[redacted]');
    expect(out.headers['d360-api-key']).toBe('[redacted]');
    expect(out.phone).toBe('2547****678');
    expect(out.text).toBe('[redacted]');
    expect(out.nested.note).toBe('call 07****678');
  });
});
