import {
  hasUnstorableText,
  MAX_STORED_DEPTH,
  storableJson,
  storableText,
  TOO_DEEP,
} from './storable';

describe('storableText', () => {
  it.each([
    ['plain', 'plain'],
    ['a\u0000b', 'a\ufffdb'],
    ['\ud800', '\ufffd'],
    ['x\udfffy', 'x\ufffdy'],
    ['💸 ok', '💸 ok'],
    ['\ud83d\udcb8\ud83d', '💸\ufffd'],
  ])('%j → %j', (input, expected) => {
    expect(storableText(input)).toBe(expected);
    expect(hasUnstorableText(storableText(input))).toBe(false);
  });

  it('tells which strings PostgreSQL would refuse', () => {
    expect(hasUnstorableText('a\u0000')).toBe(true);
    expect(hasUnstorableText('\udc00')).toBe(true);
    expect(hasUnstorableText('fine 💸')).toBe(false);
  });
});

describe('storableJson', () => {
  it('cleans strings and keys at every level', () => {
    expect(storableJson({ 'k\u0000': ['v\ud800', { n: 1, b: true, z: null }] })).toEqual({
      'k\ufffd': ['v\ufffd', { n: 1, b: true, z: null }],
    });
  });

  it('cuts a body nested deeper than any provider sends, so JSON.stringify can write it', () => {
    const depth = 50_000;
    const deep: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const kept = storableJson(deep);
    const text = JSON.stringify(kept);
    expect(text).toContain(TOO_DEEP);
    expect(text.split('[').length - 1).toBe(MAX_STORED_DEPTH);
  });
});
