import { Injectable, Logger } from '@nestjs/common';
import type { InboundMessage, InboundMessageHandler } from '../common/messaging/inbound-message.port';
import { hashPhone } from '../common/logging/redact';
import { queryRows } from '../database/sql';
import { MERCHANT_COLUMNS, type MerchantRow, toMerchantRecord } from '../merchants/merchant.record';
import { Clock } from '../runtime/clock';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { BotTurn } from './bot-turn';
import { CustomerMessages } from './customer-messages';
import { MerchantMessages } from './merchant-messages';
import { StrangerMessages } from './stranger-messages';

/**
 * The bot behind both channels. The sender's number decides the role: a merchant's own
 * number, a number an invoice went to (customer), or anyone else. Each message is handled in
 * one transaction that starts by recording its id, so a redelivered webhook is a no-op.
 */
@Injectable()
export class BotService implements InboundMessageHandler {
  private readonly logger = new Logger(BotService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly clock: Clock,
    private readonly merchants: MerchantMessages,
    private readonly customers: CustomerMessages,
    private readonly strangers: StrangerMessages,
  ) {}

  async handle(message: InboundMessage): Promise<void> {
    const turn = new BotTurn(message, this.signals, 'en');
    try {
      await this.signals.transaction(async (manager) => {
        turn.manager = manager;
        if (!(await this.firstDelivery(turn))) return;
        await this.route(turn);
        // Nothing of this attempt may commit: the deferred step redoes its part in order.
        if (turn.deferred) throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
    const deferred = turn.deferred;
    if (!deferred) return;
    const result = await deferred.run();
    await this.signals.transaction(async (manager) => {
      turn.manager = manager;
      if (await this.firstDelivery(turn)) await deferred.then(result);
    });
  }

  /** Records the message id; false when it was already handled (a redelivered webhook). */
  private async firstDelivery(turn: BotTurn): Promise<boolean> {
    const now = this.clock.now();
    const fresh = await queryRows<{ id: string }>(
      turn.manager,
      `INSERT INTO inbound_events (provider, external_id, received_at, processed_at)
       VALUES ('bot', $1, $2, $2) ON CONFLICT (provider, external_id) DO NOTHING RETURNING id`,
      [`${turn.message.channel}:${turn.message.id}`, now],
    );
    if (fresh.length === 0) this.logger.debug(`duplicate ${turn.message.channel} message ignored`);
    return fresh.length > 0;
  }

  private async route(turn: BotTurn): Promise<void> {
    const message = turn.message;
    const [merchantRow] = await queryRows<MerchantRow>(
      turn.manager,
      `SELECT ${MERCHANT_COLUMNS} FROM merchants WHERE whatsapp_phone = $1`,
      [message.from],
    );
    const merchant = merchantRow ? toMerchantRecord(merchantRow) : null;
    if (merchant) {
      turn.locale = merchant.locale;
      this.logger.log({ merchantId: merchant.id, channel: message.channel }, 'merchant message');
      await this.merchants.handle(turn, merchant);
      return;
    }
    const latest = await this.customers.latestInvoice(turn);
    this.logger.log(
      {
        from: hashPhone(message.from),
        channel: message.channel,
        role: latest ? 'customer' : 'stranger',
      },
      'inbound message',
    );
    if (latest && !(await this.strangers.claims(turn))) {
      await this.customers.handle(turn, latest);
      return;
    }
    if (latest) {
      await this.strangers.handle(turn);
      return;
    }
    const payRef = this.customers.payRef(turn);
    // A stranger's PAY goes the same way as a customer's: it is refused by the number check.
    if (payRef !== undefined) await this.customers.pay(turn, payRef);
    else await this.strangers.handle(turn);
  }
}

const ROLLBACK = new Error('bot turn deferred');
