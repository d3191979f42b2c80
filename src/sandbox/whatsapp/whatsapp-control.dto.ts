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
} from 'class-validator';

export const UNSUPPORTED_TYPES = ['image', 'sticker', 'location', 'reaction'] as const;

/**
 * What the simulated person does; exactly one of: `text`, `buttonReplyId` (+ `title`),
 * `listReplyId` (+ `title`), `templateButtonPayload` (+ `title`), `type` (an unsupported kind).
 * Titles default to the ones in the message being answered.
 */
export class InjectInboundDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4096) text?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) buttonReplyId?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) listReplyId?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) templateButtonPayload?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(24) title?: string;
  @IsOptional() @IsIn(UNSUPPORTED_TYPES) type?: (typeof UNSUPPORTED_TYPES)[number];
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) profileName?: string;
  /** The wamid being answered; the last outbound message to this person when omitted. */
  @IsOptional() @IsString() @Matches(/^wamid\.[A-Za-z0-9+/=_-]+$/) contextMessageId?: string;
}

export class UserSettingsDto {
  @IsOptional() @IsBoolean() notOnWhatsApp?: boolean;
  @IsOptional() @IsBoolean() asyncWindowFailure?: boolean;
  @IsOptional() @IsBoolean() autoDeliver?: boolean;
  @IsOptional() @IsBoolean() autoRead?: boolean;
}

export class ThroughputDto {
  @IsInt() @Min(1) @Max(10_000) perSecond!: number;
}

export class TimingDto {
  /** Delay between accepted → sent → delivered → read. */
  @IsInt() @Min(0) @Max(60_000) stepMs!: number;
}

export class PushStatusDto {
  @IsIn(['sent', 'delivered', 'read', 'failed']) status!: 'sent' | 'delivered' | 'read' | 'failed';
  @IsOptional() @IsInt() @Min(0) @Max(999_999) errorCode?: number;
}
