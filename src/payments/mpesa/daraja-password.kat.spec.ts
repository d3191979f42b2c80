import { STK_PASSWORD_VECTOR as V } from '../../../test/utils/protocol-known-answers';
import { darajaTimestamp, stkCredentials, stkPassword } from './daraja-password';

// The simulator's check meets the same vector in src/sandbox/daraja/daraja-sim-password.kat.spec.ts.
describe('Daraja client password: known answers', () => {
  it('derives the literal Password for the sandbox shortcode, passkey and a fixed Timestamp', () => {
    expect(stkPassword(V.shortcode, V.passkey, V.timestamp)).toBe(V.password);
  });

  it('stamps in Nairobi time and signs that very Timestamp', () => {
    const at = new Date(V.at);
    expect(darajaTimestamp(at)).toBe(V.timestamp);
    expect(stkCredentials(V.shortcode, V.passkey, at)).toEqual({
      Password: V.password,
      Timestamp: V.timestamp,
    });
  });
});
