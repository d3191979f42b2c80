import { ConfigError, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const REAL_CREDENTIALS = {
  SANDBOX: 'false',
  ADMIN_API_KEY: 'admin-key-that-is-long-enough-123',
  WABA_PROVIDER: '360dialog',
  WABA_TOKEN: 'waba-token',
  WABA_WEBHOOK_SECRET: 'webhook-secret-0123456789',
  SMS_USERNAME: 'invoiceiq',
  SMS_API_KEY: 'at-key',
  SMS_WEBHOOK_SECRET: 'sms-secret-0123456789',
  MPESA_CONSUMER_KEY: 'ck',
  MPESA_CONSUMER_SECRET: 'cs',
  MPESA_SHORTCODE: '600123',
  MPESA_PASSKEY: 'passkey',
  MPESA_CALLBACK_SECRET: 'callback-secret-0123456789',
  MPESA_CALLBACK_URL: 'https://pay.example.co.ke/payments/stk/callback/callback-secret-0123456789',
};

describe('loadConfig', () => {
  it('runs with no environment at all: port 8000, embedded database in ./data, sandbox providers', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./data');
    expect(config.database.migrationsRun).toBe(true);
    expect(config.sandbox).toBe(true);
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:8000');
    expect(config.providerBaseUrl('mpesa')).toBe('http://127.0.0.1:8000/sandbox/daraja');
  });

  it('names a non-numeric PORT', () => {
    expect(problemsOf({ PORT: 'abc' }).join('\n')).toMatch(/^PORT: /m);
  });

  it('names an unparsable DATABASE_URL without echoing it', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problems.join('\n')).toMatch(/^DATABASE_URL: /m);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('SANDBOX=false without provider credentials names every missing variable', () => {
    const problems = problemsOf({ SANDBOX: 'false' }).join('\n');
    for (const name of [
      'ADMIN_API_KEY',
      'WABA_TOKEN',
      'WABA_WEBHOOK_SECRET',
      'SMS_USERNAME',
      'SMS_API_KEY',
      'SMS_WEBHOOK_SECRET',
      'MPESA_CONSUMER_KEY',
      'MPESA_CONSUMER_SECRET',
      'MPESA_SHORTCODE',
      'MPESA_PASSKEY',
      'MPESA_CALLBACK_URL',
      'MPESA_CALLBACK_SECRET',
    ]) {
      expect(problems).toMatch(new RegExp(`^${name}: required when SANDBOX=false`, 'm'));
    }
  });

  it('a single real credential with SANDBOX=auto means production, so the rest are required', () => {
    const problems = problemsOf({ MPESA_CONSUMER_KEY: 'real-key' }).join('\n');
    expect(problems).toMatch(/^MPESA_PASSKEY: required when any provider credential is set/m);
  });

  it('meta needs a phone id, app secret and verify token', () => {
    const { WABA_WEBHOOK_SECRET: _unused, ...rest } = REAL_CREDENTIALS;
    const problems = problemsOf({ ...rest, WABA_PROVIDER: 'meta' }).join('\n');
    expect(problems).toMatch(/^WABA_PHONE_ID: /m);
    expect(problems).toMatch(/^WABA_APP_SECRET: /m);
    expect(problems).toMatch(/^WABA_VERIFY_TOKEN: /m);
  });

  it('with every credential, talks to the real providers', () => {
    const config = loadConfig(REAL_CREDENTIALS);
    expect(config.sandbox).toBe(false);
    expect(config.providerBaseUrl('whatsapp')).toBe('https://waba-v2.360dialog.io');
    expect(config.providerBaseUrl('mpesa')).toBe('https://api.safaricom.co.ke');
    expect(config.providerBaseUrl('sms')).toBe('https://api.africastalking.com/version1/messaging');
    expect(config.mpesaCallbackUrl).toBe(REAL_CREDENTIALS.MPESA_CALLBACK_URL);
  });

  it('SANDBOX=true overrides real credentials and uses the simulators', () => {
    const config = loadConfig({ ...REAL_CREDENTIALS, SANDBOX: 'true' });
    expect(config.sandbox).toBe(true);
    expect(config.providerBaseUrl('whatsapp')).toBe('http://127.0.0.1:8000/sandbox/whatsapp');
  });

  it('the callback URL must end with the callback secret', () => {
    const problems = problemsOf({
      ...REAL_CREDENTIALS,
      MPESA_CALLBACK_URL: 'https://x.example/cb',
    }).join('\n');
    expect(problems).toMatch(/^MPESA_CALLBACK_URL: must end with/m);
  });

  it('never prints secret values in its message', () => {
    const error = (() => {
      try {
        loadConfig({
          ...REAL_CREDENTIALS,
          MPESA_SHORTCODE: 'not-digits',
          ADMIN_API_KEY: 'short-secret',
        });
      } catch (e) {
        return e as Error;
      }
      return new Error('none');
    })();
    expect(error.message).toMatch(/MPESA_SHORTCODE/);
    expect(error.message).toMatch(/ADMIN_API_KEY/);
    expect(error.message).not.toContain('short-secret');
    expect(error.message).not.toContain('passkey');
  });
});
