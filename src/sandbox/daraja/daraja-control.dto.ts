import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  PROMPT_ACTIONS,
  type PromptAction,
  SIM_MODES,
  SIM_OUTCOMES,
  type SimMode,
  type SimOutcome,
} from './daraja-simulator.types';

const MAX_DELAY_MS = 10 * 60_000;

export class NextOutcomeDto {
  /** Any Kenyan mobile form; omitted = the next push to any phone. */
  @IsOptional() @IsString() @MaxLength(20) phone?: string;
  @IsIn(SIM_OUTCOMES) outcome!: SimOutcome;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DELAY_MS) delayMs?: number;
  /** Amount the success callback reports (partial_amount defaults to half the request). */
  @IsOptional() @IsInt() @Min(1) @Max(250_000) amount?: number;
  @IsOptional() @IsIn(SIM_MODES) mode?: SimMode;
  @IsOptional() @IsIn(['masked', 'missing']) phoneForm?: 'masked' | 'missing';
}

export class RespondDto {
  @IsIn(PROMPT_ACTIONS) action!: PromptAction;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DELAY_MS) delayMs?: number;
}

export class ModeDto {
  @IsIn(SIM_MODES) mode!: SimMode;
}

export class SettingsDto {
  @IsOptional() @IsIn(SIM_MODES) mode?: SimMode;
  @IsOptional() @IsIn(SIM_OUTCOMES) defaultOutcome?: SimOutcome;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DELAY_MS) defaultDelayMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DELAY_MS) promptTimeoutMs?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) tokenTtlSeconds?: number;
  @IsOptional() @IsBoolean() invalidatePreviousToken?: boolean;
  @IsOptional()
  @IsIn(['error', 'result4999', 'alternate'])
  queryPendingStyle?: 'error' | 'result4999' | 'alternate';
  @IsOptional() @IsInt() @Min(0) @Max(10_000) queryRateLimitPerMinute?: number;
  @IsOptional() @IsIn(['decimal', 'integer']) amountForm?: 'decimal' | 'integer';
}

export class FaultDto {
  @IsIn(['oauth', 'push', 'query']) target!: 'oauth' | 'push' | 'query';
  @IsIn(['error', 'drop', 'delay']) kind!: 'error' | 'drop' | 'delay';
  @IsOptional() @IsInt() @Min(400) @Max(599) httpStatus?: number;
  @IsOptional() @Matches(/^\d{3}\.\d{3}\.\d{2,4}$/) errorCode?: string;
  @IsOptional() @IsString() @MaxLength(200) errorMessage?: string;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DELAY_MS) delayMs?: number;
  @IsOptional() @IsBoolean() afterProcessing?: boolean;
  @IsOptional() @IsInt() @Min(1) @Max(1000) count?: number;
}

export class ResetDto {
  /** Also kill every issued access token. */
  @IsOptional() @IsBoolean() tokens?: boolean;
}

export class RequestsQueryDto {
  @IsOptional() @IsIn(['oauth', 'push', 'query']) kind?: 'oauth' | 'push' | 'query';
}
