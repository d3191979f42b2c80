export type Locale = 'en' | 'sw';
export type WabaProvider = '360dialog' | 'meta';
export type MpesaTransactionType = 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline';

export interface WhatsAppConfig {
  provider: WabaProvider;
  /** Undefined in sandbox mode until the HTTP server listens: see AppConfig.providerBaseUrl. */
  baseUrl?: string;
  token: string;
  phoneId: string;
  verifyToken: string;
  appSecret: string;
  webhookSecret: string;
}

export interface SmsConfig {
  baseUrl?: string;
  username: string;
  apiKey: string;
  senderId?: string;
  webhookSecret: string;
}

export interface MpesaConfig {
  baseUrl?: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  transactionType: MpesaTransactionType;
  partyB: string;
  callbackUrl?: string;
  callbackSecret: string;
}

export interface RetentionConfig {
  messagesDays: number;
  inboundEventsDays: number;
  conversationsDays: number;
  invoicePiiDays: number;
  mode: 'apply' | 'dry-run' | 'off';
}

/** Inbound events (SMS, WhatsApp webhooks) whose handling failed. */
export interface InboundConfig {
  /** Handler runs per event before it is marked dead. */
  maxAttempts: number;
}

export interface OutboxConfig {
  /** Handlers one process runs at once (provider calls are I/O: more is cheap). */
  concurrency: number;
  /** How long a claimed row is held before another process may take it over. */
  leaseSeconds: number;
}

export interface AppConfigValues {
  nodeEnv: 'development' | 'production' | 'test';
  http: { port: number; host: string; publicBaseUrl?: string };
  database: {
    url?: string;
    dataDir: string;
    embeddedPort: number;
    migrationsRun: boolean;
    poolSize: number;
  };
  log: { level: string; format: 'json' | 'pretty' };
  adminApiKey: string;
  sandbox: boolean;
  /** Sandbox only: seed the demo merchant and customers, and let STK prompts wait for a person. */
  sandboxDemo: boolean;
  inspectUrl?: string;
  retention: RetentionConfig;
  /** Days after its due date an unpaid invoice expires; null: invoices never expire. */
  invoiceExpiryGraceDays: number | null;
  whatsapp: WhatsAppConfig;
  sms: SmsConfig;
  /** How long a WhatsApp message may stay undelivered before one SMS goes instead. */
  smsFallbackAfterSeconds: number;
  /** How often the /stats/summary rollup re-aggregates changed hours; 0: never (counted live). */
  statsRollupIntervalSeconds: number;
  outbox: OutboxConfig;
  inbound: InboundConfig;
  mpesa: MpesaConfig;
}

export type ProviderName = 'whatsapp' | 'sms' | 'mpesa';

const SANDBOX_PATHS: Record<ProviderName, string> = {
  whatsapp: '/sandbox/whatsapp',
  sms: '/sandbox/africastalking',
  mpesa: '/sandbox/daraja',
};

/**
 * The validated configuration, injected by class. Values are fixed at boot except the
 * address the server actually listens on, which is only known after `listen` (port 0 in tests)
 * and which sandbox provider URLs and the default public URL derive from.
 */
export class AppConfig implements AppConfigValues {
  readonly nodeEnv!: AppConfigValues['nodeEnv'];
  readonly http!: AppConfigValues['http'];
  readonly database!: AppConfigValues['database'];
  readonly log!: AppConfigValues['log'];
  readonly adminApiKey!: string;
  readonly sandbox!: boolean;
  readonly sandboxDemo!: boolean;
  readonly inspectUrl?: string;
  readonly retention!: RetentionConfig;
  readonly invoiceExpiryGraceDays!: number | null;
  readonly whatsapp!: WhatsAppConfig;
  readonly sms!: SmsConfig;
  readonly smsFallbackAfterSeconds!: number;
  readonly statsRollupIntervalSeconds!: number;
  readonly outbox!: OutboxConfig;
  readonly inbound!: InboundConfig;
  readonly mpesa!: MpesaConfig;
  private listenUrl?: string;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }

  withDatabaseUrl(url: string): AppConfig {
    return new AppConfig({ ...this, database: { ...this.database, url } });
  }

  /** Called once the HTTP server listens; `url` is how this process reaches itself. */
  setListenUrl(url: string): void {
    this.listenUrl = url.replace(/\/$/, '');
  }

  get selfUrl(): string {
    return this.listenUrl ?? `http://127.0.0.1:${this.http.port}`;
  }

  /** Base of the links we hand to customers (pay pages, receipts). */
  get publicBaseUrl(): string {
    return (this.http.publicBaseUrl ?? this.selfUrl).replace(/\/$/, '');
  }

  providerBaseUrl(provider: ProviderName): string {
    const configured = this[provider].baseUrl;
    if (configured) return configured.replace(/\/$/, '');
    return `${this.selfUrl}${SANDBOX_PATHS[provider]}`;
  }

  get mpesaCallbackUrl(): string {
    return (
      this.mpesa.callbackUrl ?? `${this.selfUrl}/payments/stk/callback/${this.mpesa.callbackSecret}`
    );
  }
}
