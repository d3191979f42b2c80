import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { AppConfig, type MpesaTransactionType, type WabaProvider } from './app-config';
import { EnvironmentVariables } from './env.schema';
import { SANDBOX_DEFAULTS } from './sandbox-defaults';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'See .env.example for every variable and its meaning.',
    );
    this.name = 'ConfigError';
  }
}

/** Credentials whose presence means "talk to the real providers" when SANDBOX=auto. */
const PROVIDER_CREDENTIALS = [
  'WABA_TOKEN',
  'SMS_API_KEY',
  'MPESA_CONSUMER_KEY',
  'MPESA_CONSUMER_SECRET',
  'MPESA_PASSKEY',
] as const;

const PRODUCTION_BASE_URLS = {
  meta: 'https://graph.facebook.com/v25.0',
  '360dialog': 'https://waba-v2.360dialog.io',
  sms: 'https://api.africastalking.com/version1/messaging',
  mpesa: 'https://api.safaricom.co.ke',
};

type Env = Record<string, string | undefined>;

function describe(errors: ValidationError[]): string[] {
  // Never echo the offending value: it may be a secret.
  return errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
}

function blankToUndefined(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env))
    out[k] = v === undefined || v.trim() === '' ? undefined : v.trim();
  return out;
}

export function loadConfig(rawEnv: Env = process.env): AppConfig {
  const env = blankToUndefined(rawEnv);
  const parsed = plainToInstance(EnvironmentVariables, env, { enableImplicitConversion: false });
  const problems = describe(validateSync(parsed, { skipMissingProperties: false }));
  if (
    env.PORT !== undefined &&
    !/^\d+$/.test(env.PORT) &&
    !problems.some((p) => p.startsWith('PORT'))
  ) {
    problems.push('PORT: must be a whole number between 0 and 65535');
  }

  const sandboxSetting = env.SANDBOX ?? 'auto';
  const anyCredential = PROVIDER_CREDENTIALS.some((name) => env[name] !== undefined);
  const sandbox = sandboxSetting === 'true' || (sandboxSetting === 'auto' && !anyCredential);
  const provider = (env.WABA_PROVIDER ?? '360dialog') as WabaProvider;

  const require = (name: string, why: string): void => {
    if (env[name] === undefined) problems.push(`${name}: required ${why}`);
  };
  if (!sandbox) {
    const why =
      sandboxSetting === 'false'
        ? 'when SANDBOX=false'
        : 'when any provider credential is set (or set SANDBOX=true to use the local simulators)';
    require('ADMIN_API_KEY', why);
    require('WABA_TOKEN', why);
    if (provider === 'meta') {
      require('WABA_PHONE_ID', `${why} with WABA_PROVIDER=meta`);
      require('WABA_APP_SECRET', `${why} with WABA_PROVIDER=meta`);
      require('WABA_VERIFY_TOKEN', `${why} with WABA_PROVIDER=meta`);
    } else {
      require('WABA_WEBHOOK_SECRET', `${why} with WABA_PROVIDER=360dialog`);
    }
    for (const name of ['SMS_USERNAME', 'SMS_API_KEY', 'SMS_WEBHOOK_SECRET']) require(name, why);
    for (const name of [
      'MPESA_CONSUMER_KEY',
      'MPESA_CONSUMER_SECRET',
      'MPESA_SHORTCODE',
      'MPESA_PASSKEY',
      'MPESA_CALLBACK_URL',
      'MPESA_CALLBACK_SECRET',
    ]) {
      require(name, why);
    }
    if (
      env.MPESA_CALLBACK_URL !== undefined &&
      env.MPESA_CALLBACK_SECRET !== undefined &&
      !env.MPESA_CALLBACK_URL.replace(/\/$/, '').endsWith(
        `/payments/stk/callback/${env.MPESA_CALLBACK_SECRET}`,
      )
    ) {
      problems.push(
        'MPESA_CALLBACK_URL: must end with /payments/stk/callback/<MPESA_CALLBACK_SECRET>',
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = env.PORT === undefined ? 8000 : Number(env.PORT);
  const d = SANDBOX_DEFAULTS;
  const pick = (name: string, sandboxValue: string): string =>
    sandbox ? (env[name] ?? sandboxValue) : (env[name] ?? '');
  const transactionType = (env.MPESA_TRANSACTION_TYPE ??
    'CustomerPayBillOnline') as MpesaTransactionType;
  const shortcode = sandbox
    ? (env.MPESA_SHORTCODE ?? d.mpesaShortcode)
    : (env.MPESA_SHORTCODE ?? '');

  return new AppConfig({
    nodeEnv: (env.NODE_ENV ?? 'development') as AppConfig['nodeEnv'],
    http: { port, host: env.HOST ?? '0.0.0.0', publicBaseUrl: env.PUBLIC_BASE_URL },
    database: {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR ?? './data',
      embeddedPort: env.EMBEDDED_DB_PORT === undefined ? 0 : Number(env.EMBEDDED_DB_PORT),
      migrationsRun: env.MIGRATIONS_RUN !== 'false',
      poolSize: env.DATABASE_POOL_SIZE === undefined ? 10 : Number(env.DATABASE_POOL_SIZE),
    },
    log: {
      level: env.LOG_LEVEL ?? 'info',
      format: (env.LOG_FORMAT ??
        (env.NODE_ENV === 'production' || !process.stdout.isTTY ? 'json' : 'pretty')) as
        'json' | 'pretty',
    },
    adminApiKey: pick('ADMIN_API_KEY', d.adminApiKey),
    sandbox,
    sandboxDemo: sandbox && env.SANDBOX_DEMO !== 'false',
    inspectUrl: env.INSPECT_URL,
    invoiceExpiryGraceDays:
      env.INVOICE_EXPIRY_GRACE_DAYS === 'off' ? null : Number(env.INVOICE_EXPIRY_GRACE_DAYS ?? 30),
    statsRollupIntervalSeconds: Number(env.STATS_ROLLUP_INTERVAL_SECONDS ?? 2),
    outbox: {
      concurrency: Number(env.OUTBOX_CONCURRENCY ?? 8),
      leaseSeconds: Number(env.OUTBOX_LEASE_SECONDS ?? 60),
    },
    inbound: {
      maxAttempts: Number(env.INBOUND_MAX_ATTEMPTS ?? 8),
    },
    retention: {
      messagesDays: Number(env.RETENTION_MESSAGES_DAYS ?? 90),
      inboundEventsDays: Number(env.RETENTION_INBOUND_EVENTS_DAYS ?? 30),
      conversationsDays: Number(env.RETENTION_CONVERSATIONS_DAYS ?? 30),
      invoicePiiDays: Number(env.RETENTION_INVOICE_PII_DAYS ?? 180),
      mode: (env.RETENTION_MODE ?? 'apply') as AppConfig['retention']['mode'],
    },
    whatsapp: {
      provider,
      baseUrl: sandbox ? undefined : (env.WABA_BASE_URL ?? PRODUCTION_BASE_URLS[provider]),
      token: pick('WABA_TOKEN', d.wabaToken),
      phoneId: pick('WABA_PHONE_ID', d.wabaPhoneId),
      verifyToken: pick('WABA_VERIFY_TOKEN', d.wabaVerifyToken),
      appSecret: pick('WABA_APP_SECRET', d.wabaAppSecret),
      webhookSecret: pick('WABA_WEBHOOK_SECRET', d.wabaWebhookSecret),
    },
    sms: {
      baseUrl: sandbox ? undefined : (env.SMS_BASE_URL ?? PRODUCTION_BASE_URLS.sms),
      username: pick('SMS_USERNAME', d.smsUsername),
      apiKey: pick('SMS_API_KEY', d.smsApiKey),
      senderId: env.SMS_SENDER_ID,
      webhookSecret: pick('SMS_WEBHOOK_SECRET', d.smsWebhookSecret),
    },
    smsFallbackAfterSeconds: Number(env.SMS_FALLBACK_AFTER_SECONDS ?? 120),
    mpesa: {
      baseUrl: sandbox ? undefined : (env.MPESA_BASE_URL ?? PRODUCTION_BASE_URLS.mpesa),
      consumerKey: pick('MPESA_CONSUMER_KEY', d.mpesaConsumerKey),
      consumerSecret: pick('MPESA_CONSUMER_SECRET', d.mpesaConsumerSecret),
      shortcode,
      passkey: pick('MPESA_PASSKEY', d.mpesaPasskey),
      transactionType,
      partyB: env.MPESA_PARTY_B ?? shortcode,
      callbackUrl: sandbox ? undefined : env.MPESA_CALLBACK_URL,
      callbackSecret: pick('MPESA_CALLBACK_SECRET', d.mpesaCallbackSecret),
    },
  });
}
