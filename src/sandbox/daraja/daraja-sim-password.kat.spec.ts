import { STK_PASSWORD_VECTOR as V } from '../../../test/utils/protocol-known-answers';
import { stkPasswordMatches } from './daraja-sim-password';
import { validateQuery } from './daraja-sim.validation';

const CHECKOUT_ID = 'ws_CO_1007202409152617172396192';
const ONE_SECOND_LATER = '20260101120001';

// The app's client meets the same vector in src/payments/mpesa/daraja-password.kat.spec.ts.
describe('simulated Daraja password check: known answers', () => {
  it('accepts the literal Password only with the shortcode, passkey and Timestamp it was made of', () => {
    expect(stkPasswordMatches(V.password, V.shortcode, V.passkey, V.timestamp)).toBe(true);
    expect(stkPasswordMatches(V.password, V.shortcode, V.passkey, ONE_SECOND_LATER)).toBe(false);
    expect(stkPasswordMatches(V.password, '174380', V.passkey, V.timestamp)).toBe(false);
    expect(stkPasswordMatches(V.password, V.shortcode, `${V.passkey}0`, V.timestamp)).toBe(false);
  });

  it('answers an STK query carrying the literal Password, and refuses it under another Timestamp', () => {
    const passkeys = new Map([[V.shortcode, V.passkey]]);
    const query = (Timestamp: string) =>
      validateQuery(
        'application/json',
        {
          BusinessShortCode: V.shortcode,
          Password: V.password,
          Timestamp,
          CheckoutRequestID: CHECKOUT_ID,
        },
        passkeys,
      );
    expect(query(V.timestamp)).toEqual({
      ok: true,
      value: { BusinessShortCode: V.shortcode, CheckoutRequestID: CHECKOUT_ID },
    });
    expect(query(ONE_SECOND_LATER)).toEqual({
      ok: false,
      error: { status: 500, errorCode: '500.001.1001', errorMessage: 'Wrong credentials' },
    });
  });
});
