import { decodeCursor, encodeCursor } from './invoice-cursor';
import { invoiceRequestHash } from './invoice-request-hash';
import { generateInvoiceRef, generatePayToken, REF_PATTERN } from './invoice-tokens';

describe('invoice refs, pay tokens, cursors and request hashes', () => {
  it('makes refs from the unambiguous alphabet only', () => {
    const refs = Array.from({ length: 2000 }, generateInvoiceRef);
    for (const ref of refs) {
      expect(ref).toMatch(REF_PATTERN);
      expect(ref.slice(4)).not.toMatch(/[01OI]/);
    }
    expect(new Set(refs).size).toBeGreaterThan(1990);
  });

  it('makes pay tokens of 256 bits in base64url', () => {
    const token = generatePayToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generatePayToken()).not.toBe(token);
  });

  it('round-trips a cursor and refuses anything else with a 400', () => {
    const cursor = {
      createdAt: '2026-11-26T08:00:00.123456Z',
      id: '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of [
      'garbage',
      '',
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
      // The right shape, but no such time: PostgreSQL would refuse it (found by fuzzing).
      ...[
        '0000-00-00T00:00:00.000000Z',
        '0000-01-01T00:00:00.000000Z',
        '2026-02-30T00:00:00.000000Z',
        '2026-13-01T00:00:00.000000Z',
        '2026-01-01T24:00:00.000000Z',
        '2026-01-01T23:60:00.000000Z',
      ].map((t) =>
        Buffer.from(JSON.stringify([t, '6f1c9a52-0d7e-4c1b-9a7e-2b1f3c4d5e6f'])).toString(
          'base64url',
        ),
      ),
    ])
      expect(() => decodeCursor(bad)).toThrow(
        expect.objectContaining({ code: 'invalid_cursor', status: 400 }),
      );
  });

  it('hashes the normalised request, sensitive to every field', () => {
    const base = {
      customerPhone: '+254712345678',
      customerName: null,
      amount: 1500,
      description: 'Logo',
      dueDate: null,
    };
    const hash = invoiceRequestHash(base);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(invoiceRequestHash({ ...base })).toBe(hash);
    for (const change of [
      { amount: 1501 },
      { customerName: 'Jane' },
      { description: 'Logo ' },
      { dueDate: '2099-01-01' },
      { customerPhone: '+254712345679' },
    ])
      expect(invoiceRequestHash({ ...base, ...change })).not.toBe(hash);
  });
});
