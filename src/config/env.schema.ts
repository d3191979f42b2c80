import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * The process environment as the app accepts it. Every variable is optional here;
 * which ones become required (provider secrets outside sandbox) is decided in load-config.ts.
 */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsString() @MinLength(1) HOST?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'DATABASE_URL must look like postgres://user:password@host:5432/database',
  })
  DATABASE_URL?: string;
  @IsOptional() @IsString() @MinLength(1) DATA_DIR?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) EMBEDDED_DB_PORT?: number;
  @IsOptional() @IsIn(['true', 'false']) MIGRATIONS_RUN?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
  @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: string;

  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY?: string;
  @IsOptional() @IsIn(['auto', 'true', 'false']) SANDBOX?: string;
  @IsOptional() @IsIn(['true', 'false']) SANDBOX_DEMO?: string;
  @IsOptional()
  @Matches(/^wss?:\/\/\S+$/, { message: 'INSPECT_URL must be a ws:// or wss:// URL' })
  INSPECT_URL?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(3650) RETENTION_MESSAGES_DAYS?: number;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_INBOUND_EVENTS_DAYS?: number;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_CONVERSATIONS_DAYS?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(3650) RETENTION_INVOICE_PII_DAYS?: number;
  @IsOptional() @IsIn(['apply', 'dry-run', 'off']) RETENTION_MODE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  STATS_ROLLUP_INTERVAL_SECONDS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  INBOUND_MAX_ATTEMPTS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(256)
  OUTBOX_CONCURRENCY?: number;

  /** Longer than any provider call (Daraja's timeout is 15 s), or a slow push is taken over. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(20)
  @Max(3600)
  OUTBOX_LEASE_SECONDS?: number;

  @IsOptional()
  @Matches(/^(off|\d{1,4})$/, {
    message: 'INVOICE_EXPIRY_GRACE_DAYS must be a number of days or "off"',
  })
  INVOICE_EXPIRY_GRACE_DAYS?: string;

  @IsOptional() @IsIn(['360dialog', 'meta']) WABA_PROVIDER?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) WABA_BASE_URL?: string;
  @IsOptional() @IsString() @MinLength(1) WABA_TOKEN?: string;
  @IsOptional()
  @Matches(/^\d{5,20}$/, { message: 'WABA_PHONE_ID must be the numeric phone-number id' })
  WABA_PHONE_ID?: string;
  @IsOptional() @IsString() @MinLength(8) WABA_VERIFY_TOKEN?: string;
  @IsOptional() @IsString() @MinLength(8) WABA_APP_SECRET?: string;
  @IsOptional() @IsString() @MinLength(16) WABA_WEBHOOK_SECRET?: string;

  @IsOptional() @IsUrl(URL_OPTIONS) SMS_BASE_URL?: string;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(86_400)
  SMS_FALLBACK_AFTER_SECONDS?: number;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(64) SMS_USERNAME?: string;
  @IsOptional() @IsString() @MinLength(1) SMS_API_KEY?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(11) SMS_SENDER_ID?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, {
    message: 'SMS_WEBHOOK_SECRET must be 16-128 URL-safe characters (it is a path segment)',
  })
  SMS_WEBHOOK_SECRET?: string;

  @IsOptional() @IsUrl(URL_OPTIONS) MPESA_BASE_URL?: string;
  @IsOptional() @IsString() @MinLength(1) MPESA_CONSUMER_KEY?: string;
  @IsOptional() @IsString() @MinLength(1) MPESA_CONSUMER_SECRET?: string;
  @IsOptional()
  @Matches(/^\d{5,7}$/, { message: 'MPESA_SHORTCODE must be 5-7 digits' })
  MPESA_SHORTCODE?: string;
  @IsOptional() @IsString() @MinLength(1) MPESA_PASSKEY?: string;
  @IsOptional()
  @IsIn(['CustomerPayBillOnline', 'CustomerBuyGoodsOnline'])
  MPESA_TRANSACTION_TYPE?: string;
  @IsOptional()
  @Matches(/^\d{5,7}$/, { message: 'MPESA_PARTY_B must be 5-7 digits' })
  MPESA_PARTY_B?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) MPESA_CALLBACK_URL?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, {
    message: 'MPESA_CALLBACK_SECRET must be 16-128 URL-safe characters (it is a path segment)',
  })
  MPESA_CALLBACK_SECRET?: string;
}
