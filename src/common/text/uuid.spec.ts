import { isUuid } from './uuid';

describe('isUuid', () => {
  it.each([
    ['0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a11'],
    ['0B6F1D9E-3C1A-4C55-9A0E-5F7D2B8E4A11'],
    ['00000000-0000-0000-0000-000000000000'],
    ['0b6f1d9e-3c1a-1c55-9a0e-5f7d2b8e4a11'],
  ])('accepts %s', (value) => {
    expect(isUuid(value)).toBe(true);
  });

  it.each([
    [''],
    ['not-a-uuid'],
    ['0b6f1d9e3c1a4c559a0e5f7d2b8e4a11'],
    ['{0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a11}'],
    [' 0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a11'],
    ['0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a11\n'],
    ['0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a1'],
    ['0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a111'],
    ['0b6f1d9g-3c1a-4c55-9a0e-5f7d2b8e4a11'],
    ["0b6f1d9e-3c1a-4c55-9a0e-5f7d2b8e4a11' OR '1'='1"],
  ])('rejects %j', (value) => {
    expect(isUuid(value)).toBe(false);
  });
});
