import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import type { Locale } from '../config/app-config';
import { IsKenyanMobile } from '../invoices/dto/is-kenyan-mobile.validator';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class CreateMerchantDto {
  @ApiProperty({
    description: 'Business name customers see on invoices.',
    example: 'Mama Mboga Ltd',
  })
  @Transform(trim)
  @IsString({ message: 'name must be text' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;

  @ApiProperty({
    description: "The merchant's WhatsApp number (Kenyan mobile).",
    example: '0712345678',
  })
  @IsKenyanMobile()
  phone!: string;

  @ApiPropertyOptional({ enum: ['en', 'sw'], default: 'en' })
  @IsOptional()
  @IsIn(['en', 'sw'], { message: 'locale must be en or sw' })
  locale?: Locale;
}

export interface AdminMerchantResponse {
  id: string;
  name: string;
  phone: string;
  locale: Locale;
  createdAt: string;
}

export interface CreatedMerchantResponse extends AdminMerchantResponse {
  /** Shown once; only its hash is stored. */
  apiKey: string;
}
