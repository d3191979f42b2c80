import { Logger } from '@nestjs/common';
import {
  newPaymentResultsService,
  paymentRow,
  type PaymentResultsTestBed,
} from '../../test/utils/payment-fakes';
import { INVOICE_MACHINE_KIND } from '../machines/invoice.machine';
import type { SendResult } from '../runtime/machine-runner';
import type { FinalResult } from './payment-results.service';

const SOURCE = 'webhook:mpesa';

const ACCEPTED: SendResult = {
  accepted: true,
  state: 'PAID',
  version: 4,
  snapshot: { value: 'PAID', context: {} } as Extract<SendResult, { accepted: true }>['snapshot'],
};

function success(overrides: Partial<FinalResult> = {}): FinalResult {
  return {
    resultCode: 0,
    rawResultCode: '0',
    resultDesc: 'The service request is processed successfully.',
    amount: 500,
    receipt: 'TBA1234567',
    ...overrides,
  };
}

describe('PaymentResultsService.applyFinalResult', () => {
  let bed: PaymentResultsTestBed;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    bed = newPaymentResultsService();
    bed.runner.send.mockResolvedValue(ACCEPTED);
  });

  it('answers unknown_payment and writes nothing for a payment that does not exist', async () => {
    bed.payments.lockById.mockResolvedValue(null);

    const outcome = await bed.sut.applyFinalResult(bed.tx, 'missing', success(), SOURCE);

    expect(outcome).toEqual({ applied: false, reason: 'unknown_payment' });
    expect(bed.payments.markSucceeded).not.toHaveBeenCalled();
    expect(bed.runner.send).not.toHaveBeenCalled();
  });

  describe('a success', () => {
    it('settles the payment and confirms it to the invoice, once', async () => {
      const pending = paymentRow();
      bed.payments.lockById
        .mockResolvedValueOnce(pending)
        .mockResolvedValueOnce(
          paymentRow({ status: 'succeeded', outcome: 'paid', mpesa_receipt: 'TBA1234567' }),
        );
      bed.invoices.lockBalance.mockResolvedValue({
        state: 'PAYMENT_INIT',
        amount: 500,
        amountPaid: 0,
      });

      const first = await bed.sut.applyFinalResult(bed.tx, pending.id, success(), SOURCE);
      // The same callback again (Daraja repeats itself): the payment is final by then.
      const again = await bed.sut.applyFinalResult(bed.tx, pending.id, success(), SOURCE);

      expect(first).toEqual({ applied: true, status: 'succeeded' });
      expect(again).toEqual({ applied: false, reason: 'already_final' });
      expect(bed.payments.lockById).toHaveBeenCalledWith(bed.tx, pending.id);
      expect(bed.payments.markSucceeded).toHaveBeenCalledTimes(1);
      expect(bed.payments.markSucceeded).toHaveBeenCalledWith(bed.tx, pending.id, {
        resultDesc: 'The service request is processed successfully.',
        receipt: 'TBA1234567',
        paidAmount: 500,
        at: bed.clock.now(),
      });
      expect(bed.runner.send).toHaveBeenCalledTimes(1);
      expect(bed.runner.send).toHaveBeenCalledWith(
        INVOICE_MACHINE_KIND,
        pending.invoice_id,
        { type: 'PAYMENT_CONFIRMED', paymentId: pending.id, amount: 500, receipt: 'TBA1234567' },
        { manager: bed.tx, source: SOURCE, dedupeKey: `payment:${pending.id}:final` },
      );
      expect(bed.payments.flagOverpaid).not.toHaveBeenCalled();
      expect(bed.payments.setReceiptIfMissing).not.toHaveBeenCalled();
    });

    it('confirmed by a query (no amount, no receipt) counts the amount asked for', async () => {
      const pending = paymentRow({ checkout_request_id: 'ws_CO_9' });
      bed.payments.lockById.mockResolvedValue(pending);
      bed.invoices.lockBalance.mockResolvedValue({
        state: 'PAYMENT_INIT',
        amount: 800,
        amountPaid: 0,
      });

      await bed.sut.applyFinalResult(
        bed.tx,
        pending.id,
        { resultCode: 0, rawResultCode: '0', resultDesc: 'paid' },
        'outbox:mpesa.stk_query',
      );

      expect(bed.payments.markSucceeded).toHaveBeenCalledWith(
        bed.tx,
        pending.id,
        expect.objectContaining({ receipt: null, paidAmount: 500 }),
      );
      expect(bed.runner.send).toHaveBeenCalledWith(
        INVOICE_MACHINE_KIND,
        pending.invoice_id,
        expect.objectContaining({ amount: 500, receipt: 'QUERY-ws_CO_9' }),
        expect.objectContaining({ dedupeKey: `payment:${pending.id}:final` }),
      );
    });
  });

  describe('a receipt already credited to another payment', () => {
    it('is not credited again', async () => {
      const pending = paymentRow({ id: 'payment-2' });
      bed.payments.lockById.mockResolvedValue(pending);
      bed.payments.findOtherIdWithReceipt.mockResolvedValue('payment-1');

      const outcome = await bed.sut.applyFinalResult(bed.tx, pending.id, success(), SOURCE);

      expect(outcome).toEqual({ applied: false, reason: 'already_final' });
      expect(bed.payments.findOtherIdWithReceipt).toHaveBeenCalledWith(
        bed.tx,
        'TBA1234567',
        'payment-2',
      );
      expect(bed.payments.markSucceeded).not.toHaveBeenCalled();
      expect(bed.invoices.lockBalance).not.toHaveBeenCalled();
      expect(bed.runner.send).not.toHaveBeenCalled();
    });

    it('is not copied onto a query-confirmed payment by a late callback', async () => {
      const confirmed = paymentRow({ status: 'succeeded', outcome: 'paid', mpesa_receipt: null });
      bed.payments.lockById.mockResolvedValue(confirmed);
      bed.payments.findOtherIdWithReceipt.mockResolvedValue('payment-7');

      await bed.sut.applyFinalResult(bed.tx, confirmed.id, success(), SOURCE);

      expect(bed.payments.setReceiptIfMissing).not.toHaveBeenCalled();
      expect(bed.runner.send).not.toHaveBeenCalled();
    });

    it('unless it is new: then a query-confirmed payment gets it', async () => {
      const confirmed = paymentRow({ status: 'succeeded', outcome: 'paid', mpesa_receipt: null });
      bed.payments.lockById.mockResolvedValue(confirmed);
      bed.payments.findOtherIdWithReceipt.mockResolvedValue(null);

      const outcome = await bed.sut.applyFinalResult(bed.tx, confirmed.id, success(), SOURCE);

      expect(outcome).toEqual({ applied: false, reason: 'already_final' });
      expect(bed.payments.setReceiptIfMissing).toHaveBeenCalledWith(
        bed.tx,
        confirmed.id,
        'TBA1234567',
        bed.clock.now(),
      );
      expect(bed.runner.send).not.toHaveBeenCalled();
    });
  });

  describe('a success after the payment had failed', () => {
    const failed = paymentRow({ status: 'failed', outcome: 'timeout', result_code: 1037 });

    it('still settles the invoice when it still owes the money', async () => {
      bed.payments.lockById.mockResolvedValue(failed);
      bed.invoices.lockBalance.mockResolvedValue({ state: 'FAILED', amount: 500, amountPaid: 0 });

      const outcome = await bed.sut.applyFinalResult(bed.tx, failed.id, success(), SOURCE);

      expect(outcome).toEqual({ applied: true, status: 'succeeded' });
      expect(bed.invoices.lockBalance).toHaveBeenCalledWith(bed.tx, failed.invoice_id);
      expect(bed.payments.markSucceeded).toHaveBeenCalledTimes(1);
      expect(bed.runner.send).toHaveBeenCalledWith(
        INVOICE_MACHINE_KIND,
        failed.invoice_id,
        { type: 'PAYMENT_CONFIRMED', paymentId: failed.id, amount: 500, receipt: 'TBA1234567' },
        // Its own key: the failure already used the attempt's final one.
        { manager: bed.tx, source: SOURCE, dedupeKey: `payment:${failed.id}:late` },
      );
      expect(bed.payments.flagOverpaid).not.toHaveBeenCalled();
    });

    it('is an overpayment to refund, whole, when the invoice was paid meanwhile', async () => {
      bed.payments.lockById.mockResolvedValue(failed);
      bed.invoices.lockBalance.mockResolvedValue({ state: 'PAID', amount: 500, amountPaid: 500 });
      bed.runner.send.mockResolvedValue({
        accepted: false,
        reason: 'not_accepted',
        state: 'PAID',
        version: 6,
      });

      const outcome = await bed.sut.applyFinalResult(bed.tx, failed.id, success(), SOURCE);

      expect(outcome).toEqual({ applied: true, status: 'succeeded' });
      // The money is recorded on the payment even though the invoice did not take it.
      expect(bed.payments.markSucceeded).toHaveBeenCalledWith(
        bed.tx,
        failed.id,
        expect.objectContaining({ paidAmount: 500, receipt: 'TBA1234567' }),
      );
      expect(bed.payments.flagOverpaid).toHaveBeenCalledWith(
        bed.tx,
        failed.id,
        500,
        'overpayment: KES 500 beyond what the invoice owed; refund due',
        bed.clock.now(),
      );
    });

    it('overpays by what exceeds the balance when the invoice was partly paid meanwhile', async () => {
      bed.payments.lockById.mockResolvedValue(failed);
      bed.invoices.lockBalance.mockResolvedValue({
        state: 'PARTIALLY_PAID',
        amount: 500,
        amountPaid: 300,
      });

      await bed.sut.applyFinalResult(bed.tx, failed.id, success(), SOURCE);

      expect(bed.payments.flagOverpaid).toHaveBeenCalledWith(
        bed.tx,
        failed.id,
        300,
        'overpayment: KES 300 beyond what the invoice owed; refund due',
        bed.clock.now(),
      );
    });

    it('is held for review, and the merchant told, when M-PESA reports another amount', async () => {
      bed.payments.lockById.mockResolvedValue(failed);

      const outcome = await bed.sut.applyFinalResult(
        bed.tx,
        failed.id,
        success({ amount: 450 }),
        SOURCE,
      );

      expect(outcome).toEqual({ applied: true, status: 'review' });
      expect(bed.payments.holdForAmountReview).toHaveBeenCalledWith(
        bed.tx,
        failed.id,
        expect.objectContaining({
          paidAmount: 450,
          reason: 'amount_mismatch: asked 500, M-PESA reported 450',
        }),
      );
      expect(bed.outbox.enqueue).toHaveBeenCalledWith(
        bed.tx,
        expect.objectContaining({
          kind: 'merchant.notify',
          idempotencyKey: `payment:${failed.id}:review`,
        }),
      );
      expect(bed.payments.markSucceeded).not.toHaveBeenCalled();
      expect(bed.runner.send).not.toHaveBeenCalled();
    });
  });

  describe('a failure', () => {
    it('with a ResultCode nobody documented ends the payment as unknown, flagged', async () => {
      const pending = paymentRow();
      bed.payments.lockById.mockResolvedValue(pending);

      const outcome = await bed.sut.applyFinalResult(
        bed.tx,
        pending.id,
        { resultCode: 4242, rawResultCode: '4242', resultDesc: 'Something new' },
        SOURCE,
      );

      expect(outcome).toEqual({ applied: true, status: 'failed' });
      expect(bed.payments.markFailed).toHaveBeenCalledWith(bed.tx, pending.id, {
        outcome: 'unknown',
        resultCode: 4242,
        resultDesc: 'Something new',
        flaggedReason: 'unknown_result_code: 4242',
        at: bed.clock.now(),
      });
      expect(bed.runner.send).toHaveBeenCalledWith(
        INVOICE_MACHINE_KIND,
        pending.invoice_id,
        { type: 'PAYMENT_FAILED', paymentId: pending.id, outcome: 'unknown', resultCode: 4242 },
        { manager: bed.tx, source: SOURCE, dedupeKey: `payment:${pending.id}:final` },
      );
      expect(bed.payments.markSucceeded).not.toHaveBeenCalled();
    });

    it('with a ResultCode that is not a number keeps the raw code in the description', async () => {
      const pending = paymentRow();
      bed.payments.lockById.mockResolvedValue(pending);

      await bed.sut.applyFinalResult(
        bed.tx,
        pending.id,
        { resultCode: null, rawResultCode: 'E17', resultDesc: 'odd' },
        SOURCE,
      );

      expect(bed.payments.markFailed).toHaveBeenCalledWith(
        bed.tx,
        pending.id,
        expect.objectContaining({
          outcome: 'unknown',
          resultCode: null,
          resultDesc: 'E17: odd',
          flaggedReason: 'unknown_result_code: E17',
        }),
      );
    });

    it('with a known ResultCode ends the payment with its outcome, unflagged', async () => {
      const pending = paymentRow();
      bed.payments.lockById.mockResolvedValue(pending);

      await bed.sut.applyFinalResult(
        bed.tx,
        pending.id,
        { resultCode: 1032, rawResultCode: '1032', resultDesc: 'Request cancelled by user' },
        SOURCE,
      );

      expect(bed.payments.markFailed).toHaveBeenCalledWith(
        bed.tx,
        pending.id,
        expect.objectContaining({ outcome: 'cancelled', flaggedReason: null }),
      );
    });

    it('changes nothing on a payment that is final already', async () => {
      bed.payments.lockById.mockResolvedValue(
        paymentRow({ status: 'succeeded', outcome: 'paid', mpesa_receipt: 'TBA1234567' }),
      );

      const outcome = await bed.sut.applyFinalResult(
        bed.tx,
        'payment-1',
        { resultCode: 1032, rawResultCode: '1032', resultDesc: 'Request cancelled by user' },
        SOURCE,
      );

      expect(outcome).toEqual({ applied: false, reason: 'already_final' });
      expect(bed.payments.markFailed).not.toHaveBeenCalled();
      expect(bed.runner.send).not.toHaveBeenCalled();
    });
  });
});
