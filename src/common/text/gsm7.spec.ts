import { encodingOf, isGsm7, segmentCount, smsShape } from './gsm7';

describe('gsm7', () => {
  describe('isGsm7', () => {
    it('accepts the basic alphabet, accented letters of it and the extension table', () => {
      expect(isGsm7('Invoice INV-7KQ2MX: KES 1,500. Pay: https://iq.ke/p/abc?x=1')).toBe(true);
      expect(isGsm7('Café à Zürich: £5 @ 10% ¿¡ ÆØÅ ΔΦΓΛΩΠΨΣΘΞ')).toBe(true);
      expect(isGsm7('{curly} [square] ~tilde^ |pipe| \\back €uro')).toBe(true);
      expect(isGsm7('line\nbreak\r')).toBe(true);
      expect(isGsm7('')).toBe(true);
    });

    it('refuses what needs UCS-2', () => {
      expect(isGsm7('Asante 🙏')).toBe(false);
      expect(isGsm7('“smart quotes”')).toBe(false);
      expect(isGsm7('Ksh 1 500 – due')).toBe(false); // en dash
      expect(isGsm7('ç lowercase cedilla')).toBe(false); // only Ç is in GSM 03.38
      expect(isGsm7('tab\there')).toBe(false);
      expect(isGsm7('`backtick`')).toBe(false);
      expect(encodingOf('hi 🙏')).toBe('UCS-2');
      expect(encodingOf('hi')).toBe('GSM-7');
    });
  });

  describe('segmentCount', () => {
    it('is 0 for an empty text', () => {
      expect(segmentCount('')).toBe(0);
    });

    it('fits 160 GSM-7 characters in one segment, then 153 per segment', () => {
      expect(segmentCount('a')).toBe(1);
      expect(segmentCount('a'.repeat(160))).toBe(1);
      expect(segmentCount('a'.repeat(161))).toBe(2);
      expect(segmentCount('a'.repeat(306))).toBe(2);
      expect(segmentCount('a'.repeat(307))).toBe(3);
      expect(segmentCount('a'.repeat(459))).toBe(3);
      expect(segmentCount('a'.repeat(460))).toBe(4);
    });

    it('counts extension characters twice', () => {
      expect(segmentCount('€'.repeat(80))).toBe(1);
      expect(segmentCount('€'.repeat(81))).toBe(2);
      expect(segmentCount(`${'a'.repeat(159)}{`)).toBe(2);
      expect(segmentCount(`${'a'.repeat(158)}[`)).toBe(1);
    });

    it('never splits an escaped character across segments', () => {
      // 152 plain + '€' (2 septets) would straddle the 153-septet boundary: it moves whole.
      const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
      // 306 septets would fit 2 × 153 if split freely; unsplittable it needs 3.
      expect(segmentCount(text)).toBe(3);
      expect(segmentCount(`${'a'.repeat(151)}€${'a'.repeat(153)}`)).toBe(2);
    });

    it('switches the whole text to UCS-2 for one non-GSM character: 70 then 67', () => {
      expect(segmentCount(`${'a'.repeat(69)}’`)).toBe(1);
      expect(segmentCount(`${'a'.repeat(70)}’`)).toBe(2);
      expect(segmentCount(`${'a'.repeat(133)}’`)).toBe(2);
      expect(segmentCount(`${'a'.repeat(134)}’`)).toBe(3);
      // A 160-character GSM text grows to 3 segments with a single emoji.
      expect(segmentCount(`${'a'.repeat(158)}🙏`)).toBe(3);
    });

    it('counts an emoji as two UTF-16 units and never splits the pair', () => {
      expect(segmentCount('🙏'.repeat(35))).toBe(1);
      expect(segmentCount('🙏'.repeat(36))).toBe(2);
      // 134 units fit 2 × 67 only if split freely; with the pair after 66 units it moves
      // whole to segment 2, which then overflows into a third.
      expect(segmentCount(`${'a'.repeat(66)}🙏${'a'.repeat(66)}`)).toBe(3);
      expect(segmentCount(`${'a'.repeat(65)}🙏${'a'.repeat(67)}`)).toBe(2);
    });
  });

  it('summarises a text without its content', () => {
    expect(smsShape('Habari 🙏')).toEqual({ encoding: 'UCS-2', segments: 1, length: 8 });
  });
});
