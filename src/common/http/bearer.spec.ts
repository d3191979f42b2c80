import { bearerToken } from './bearer';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer abc123', 'abc123'],
    ['BEARER abc123', 'abc123'],
    ['Bearer   abc123  ', 'abc123'],
    ['Bearer\tabc123\t', 'abc123'],
    ['Bearer a.b-c_d~e+f/g=', 'a.b-c_d~e+f/g='],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['abc123'],
    ['Basic abc123'],
    ['Bearerabc123'],
    [' Bearer abc123'],
    ['Bearer abc 123'],
    ['Bearer\nabc123'],
  ])('%j → undefined', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
