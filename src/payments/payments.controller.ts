import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ConflictError, DomainError, NotFoundError } from '../common/http/domain-error';
import { InvoicesService } from '../invoices/invoices.service';
import { CurrentMerchant } from '../merchants/current-merchant.decorator';
import { MerchantAuthGuard } from '../merchants/merchant-auth.guard';
import type { MerchantRecord } from '../merchants/merchant.record';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { InitiateStkDto } from './dto/initiate-stk.dto';
import { PaymentResponse, StkInitiatedResponse } from './dto/payment.response';
import type { InitiatePaymentResult } from './payment-initiation.port';
import { PaymentsService } from './payments.service';

type Refusal = Extract<InitiatePaymentResult, { status: 'refused' }>;

const REFUSALS: Record<Exclude<Refusal['reason'], 'not_found' | 'amount_invalid'>, string> = {
  paid: 'The invoice is already paid',
  cancelled: 'The invoice is cancelled',
  expired: 'The invoice has expired',
  pending: 'A payment prompt for this invoice is still open; wait for it to end',
  attempts_exhausted: 'This invoice has used all its payment attempts',
};

@ApiTags('payments')
@ApiBearerAuth('merchant')
@ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
@UseGuards(MerchantAuthGuard)
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly invoices: InvoicesService,
    private readonly signals: RuntimeSignals,
  ) {}

  @Post('stk/initiate')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send an M-PESA prompt (STK push) for one of your invoices',
    description:
      'Answers before Daraja does: checkoutRequestId is null and status "initiating". ' +
      'The result arrives by callback or status query; read GET /payments/{paymentId}.',
  })
  @ApiAcceptedResponse({ type: StkInitiatedResponse })
  @ApiBadRequestResponse({ description: 'A field is invalid; the message names it' })
  @ApiNotFoundResponse({ description: 'No invoice of yours has this ref' })
  @ApiConflictResponse({
    description:
      'Refused: code invoice_paid, invoice_cancelled, payment_pending (details.pendingPaymentId) or attempts_exhausted',
  })
  async initiate(
    @CurrentMerchant() merchant: MerchantRecord,
    @Body() body: InitiateStkDto,
  ): Promise<StkInitiatedResponse> {
    const invoice = await this.invoices.findByRef(merchant.id, body.invoiceRef);
    if (!invoice) throw new NotFoundError('Invoice');
    const result = await this.signals.transaction((tx) =>
      this.payments.initiate(tx, {
        invoiceRef: invoice.ref,
        phone: body.phone ?? invoice.customerPhone,
        ...(body.amount !== undefined ? { amount: body.amount } : {}),
        source: 'api:merchant',
      }),
    );
    if (result.status === 'started') {
      return {
        paymentId: result.paymentId,
        checkoutRequestId: null,
        status: 'initiating',
        amount: result.amount,
      };
    }
    throw refusalError(result, invoice.balance);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One payment attempt on one of your invoices' })
  @ApiOkResponse({ type: PaymentResponse })
  @ApiNotFoundResponse({ description: 'No payment of yours has this id' })
  async get(
    @CurrentMerchant() merchant: MerchantRecord,
    @Param('id') id: string,
  ): Promise<PaymentResponse> {
    const payment = await this.payments.findForMerchant(merchant.id, id);
    if (!payment) throw new NotFoundError('Payment');
    return payment;
  }
}

function refusalError(refusal: Refusal, balance: number): DomainError {
  switch (refusal.reason) {
    case 'not_found':
      return new NotFoundError('Invoice');
    case 'amount_invalid':
      return new DomainError(
        'amount_invalid',
        `amount must be a whole number from 1 to the balance (KES ${balance})`,
        HttpStatus.BAD_REQUEST,
      );
    case 'pending':
      return new ConflictError('payment_pending', REFUSALS.pending, {
        reason: 'pending',
        ...(refusal.pendingPaymentId ? { pendingPaymentId: refusal.pendingPaymentId } : {}),
      });
    case 'paid':
    case 'cancelled':
    case 'expired':
      return new ConflictError(`invoice_${refusal.reason}`, REFUSALS[refusal.reason], {
        reason: refusal.reason,
      });
    case 'attempts_exhausted':
      return new ConflictError('attempts_exhausted', REFUSALS.attempts_exhausted, {
        reason: 'attempts_exhausted',
      });
  }
}
