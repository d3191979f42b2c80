import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import type { MerchantRecord } from '../merchants/merchant.record';
import { type MerchantWithKey, MerchantsService } from '../merchants/merchants.service';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { AdminApi } from './admin-api.decorator';
import {
  type AdminMerchantResponse,
  type CreatedMerchantResponse,
  CreateMerchantDto,
} from './create-merchant.dto';

/** Onboarding by an operator: the merchant's API key is returned once, at creation. */
@AdminApi()
@Controller('admin/merchants')
export class AdminMerchantsController {
  constructor(
    private readonly merchants: MerchantsService,
    private readonly signals: RuntimeSignals,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@Body() body: CreateMerchantDto): Promise<CreatedMerchantResponse> {
    const created = await this.signals.transaction((tx) =>
      this.merchants.create(tx, {
        displayName: body.name,
        whatsappPhone: body.phone,
        locale: body.locale ?? 'en',
      }),
    );
    return withKey(created);
  }

  @Post(':id/rotate-key')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Issue a new API key (shown once); the old one stops working at once' })
  @ApiNotFoundResponse({ description: 'No merchant has this id' })
  async rotateKey(@Param('id') id: string): Promise<CreatedMerchantResponse> {
    return withKey(await this.signals.transaction((tx) => this.merchants.rotateApiKey(tx, id)));
  }

  @Get()
  async list(): Promise<{ items: AdminMerchantResponse[] }> {
    return { items: (await this.merchants.list()).map(toResponse) };
  }
}

function toResponse(merchant: MerchantRecord): AdminMerchantResponse {
  return {
    id: merchant.id,
    name: merchant.displayName,
    phone: merchant.whatsappPhone,
    locale: merchant.locale,
    createdAt: merchant.createdAt.toISOString(),
  };
}

function withKey({ merchant, apiKey }: MerchantWithKey): CreatedMerchantResponse {
  return { ...toResponse(merchant), apiKey };
}
