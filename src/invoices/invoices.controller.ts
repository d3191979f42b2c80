import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentMerchant } from '../merchants/current-merchant.decorator';
import { MerchantAuthGuard } from '../merchants/merchant-auth.guard';
import type { MerchantRecord } from '../merchants/merchant.record';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { CreateInvoiceDto } from './dto/create-invoice.dto';
import { InvoicePage, InvoiceResponse } from './dto/invoice.response';
import { ListInvoicesQuery } from './dto/list-invoices.query';
import { InvoicesService } from './invoices.service';

@ApiTags('invoices')
@ApiBearerAuth('merchant')
@ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
@UseGuards(MerchantAuthGuard)
@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly signals: RuntimeSignals,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an invoice and send it to the customer',
    description:
      'Retry safely with an Idempotency-Key: the same key and body give back the same invoice.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 200 printable characters, e.g. a UUID. Scoped to your merchant account.',
  })
  @ApiCreatedResponse({ type: InvoiceResponse })
  @ApiBadRequestResponse({ description: 'A field is invalid; the message names it' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with a different body' })
  async create(
    @CurrentMerchant() merchant: MerchantRecord,
    @Body() body: CreateInvoiceDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<InvoiceResponse> {
    const invoice = await this.signals.transaction((tx) =>
      this.invoices.create(tx, merchant.id, body, { idempotencyKey, source: 'api' }),
    );
    return this.invoices.toResponse(invoice);
  }

  @Get()
  @ApiOperation({ summary: 'Your invoices, newest first' })
  @ApiOkResponse({ type: InvoicePage })
  list(
    @CurrentMerchant() merchant: MerchantRecord,
    @Query() query: ListInvoicesQuery,
  ): Promise<InvoicePage> {
    return this.invoices.list(merchant.id, query);
  }

  @Get(':ref')
  @ApiOperation({ summary: 'One of your invoices by its ref, e.g. INV-7KQ2MX' })
  @ApiOkResponse({ type: InvoiceResponse })
  @ApiNotFoundResponse({ description: 'No invoice of yours has this ref' })
  async get(
    @CurrentMerchant() merchant: MerchantRecord,
    @Param('ref') ref: string,
  ): Promise<InvoiceResponse> {
    return this.invoices.toResponse(await this.invoices.getByRef(merchant.id, ref));
  }
}
