import { Type } from 'class-transformer';
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
  MinLength,
  ValidateNested,
} from 'class-validator';
import { AT_RECIPIENT_CODES, AT_SIMULATED_REPORT_STATUSES } from './at-wire';

const REPORT_CHOICES = [...AT_SIMULATED_REPORT_STATUSES, 'None'] as const;

export class InjectInboundDto {
  /** The sender, any Kenyan form (0712…, +254712…). */
  @IsString() @MinLength(9) @MaxLength(20) from!: string;
  @IsString() @MaxLength(1600) text!: string;
  /** Our shortcode; 40404 when omitted. */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9+]{1,20}$/) to?: string;
}

export class FailNextSendsDto {
  @IsIn(AT_RECIPIENT_CODES) statusCode!: number;
  @IsInt() @Min(0) @Max(1000) count!: number;
}

export class NumberBehaviourDto {
  @IsOptional() @IsIn(REPORT_CHOICES) deliveryStatus?: (typeof REPORT_CHOICES)[number];
  @IsOptional() @IsString() @Matches(/^[A-Za-z]{1,40}$/) failureReason?: string;
  @IsOptional() @IsInt() @Min(0) @Max(60_000) deliveryDelayMs?: number;
  @IsOptional() @ValidateNested() @Type(() => FailNextSendsDto) failNextSends?: FailNextSendsDto;
}

export class BalanceDto {
  @IsBoolean() insufficient!: boolean;
}

export class SettingsDto {
  @IsInt() @Min(0) @Max(60_000) deliveryDelayMs!: number;
}

export class ManualReportDto {
  @IsString() @Matches(/^ATXid_[0-9a-f]+$/) messageId!: string;
  @IsIn(AT_SIMULATED_REPORT_STATUSES) status!: (typeof AT_SIMULATED_REPORT_STATUSES)[number];
  @IsOptional() @IsString() @Matches(/^[A-Za-z]{1,40}$/) failureReason?: string;
}
