/**
 * Credentials the app and its local simulators share in sandbox mode. They protect nothing
 * real: sandbox mode only ever talks to the simulators inside the same process.
 * The M-PESA shortcode and passkey are Safaricom's public sandbox values.
 */
export const SANDBOX_DEFAULTS = {
  adminApiKey: 'sandbox-admin-key-not-for-production',
  wabaToken: 'sandbox-waba-token',
  wabaPhoneId: '106540352242922',
  wabaVerifyToken: 'sandbox-verify-token',
  wabaAppSecret: 'sandbox-app-secret',
  wabaWebhookSecret: 'sandbox-webhook-secret-0000',
  smsUsername: 'sandbox',
  smsApiKey: 'sandbox-at-api-key',
  smsWebhookSecret: 'sandbox-sms-secret-0000',
  mpesaConsumerKey: 'sandbox-consumer-key',
  mpesaConsumerSecret: 'sandbox-consumer-secret',
  mpesaShortcode: '174379',
  mpesaPasskey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
  mpesaCallbackSecret: 'sandbox-callback-secret-0000',
} as const;
