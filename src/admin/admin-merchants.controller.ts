import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/http/domain-error';
import { queryRows } from '../database/sql';
import { MerchantsService } from '../merchants/merchants.service';
import { AdminApi } from './admin-api.decorator';
import {
  type AdminMerchantResponse,
  type CreatedMerchantResponse,
  CreateMerchantDto,
} from './create-merchant.dto';

interface MerchantListRow {
  id: string;
  display_name: string;
  whatsapp_phone: string;
  locale: 'en' | 'sw';
  created_at: Date;
}

/** Onboarding by an operator: the merchant's API key is returned once, at creation. */
@AdminApi()
@Controller('admin/merchants')
export class AdminMerchantsController {
  constructor(
    private readonly merchants: MerchantsService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@Body() body: CreateMerchantDto): Promise<CreatedMerchantResponse> {
    const { merchant, apiKey } = await this.merchants.create({
      displayName: body.name,
      whatsappPhone: body.phone,
      locale: body.locale ?? 'en',
    });
    const [row] = await this.rows('WHERE id = $1', [merchant.id]);
    return { ...toResponse(row), apiKey };
  }

  @Post(':id/rotate-key')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Issue a new API key (shown once); the old one stops working at once' })
  @ApiNotFoundResponse({ description: 'No merchant has this id' })
  async rotateKey(@Param('id') id: string): Promise<CreatedMerchantResponse> {
    const found = await this.merchants.findById(id);
    if (!found) throw new NotFoundError('Merchant');
    const { merchant, apiKey } = await this.merchants.rotateApiKey(found.id);
    const [row] = await this.rows('WHERE id = $1', [merchant.id]);
    return { ...toResponse(row), apiKey };
  }

  @Get()
  async list(): Promise<{ items: AdminMerchantResponse[] }> {
    return { items: (await this.rows('', [])).map(toResponse) };
  }

  private rows(where: string, params: unknown[]): Promise<MerchantListRow[]> {
    return queryRows<MerchantListRow>(
      this.dataSource,
      `SELECT id, display_name, whatsapp_phone, locale, created_at FROM merchants ${where}
        ORDER BY created_at DESC, id LIMIT 500`,
      params,
    );
  }
}

function toResponse(row: MerchantListRow): AdminMerchantResponse {
  return {
    id: row.id,
    name: row.display_name,
    phone: row.whatsapp_phone,
    locale: row.locale,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
