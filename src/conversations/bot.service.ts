import { Injectable, Logger } from '@nestjs/common';
import type { InboundMessage } from '../common/messaging/inbound-message.port';
import type { InboundDelivery } from '../runtime/inbound-queue';
import { hashPhone } from '../common/logging/redact';
import { MerchantsService } from '../merchants/merchants.service';
import { DeliverPort } from '../runtime/deliver-port';
import { RuntimeSignals } from '../runtime/runtime-signals';
import { BotTurn } from './bot-turn';
import { CustomerMessages } from './customer-messages';
import { MerchantMessages } from './merchant-messages';
import { StrangerMessages } from './stranger-messages';

/**
 * The bot behind both channels. The sender's number decides the role: a merchant's own
 * number, a number an invoice went to (customer), or anyone else. Each message is handled in
 * one transaction that starts by claiming its inbound event, so a redelivery is a no-op.
 */
@Injectable()
export class BotService {
  private readonly logger = new Logger(BotService.name);

  constructor(
    private readonly signals: RuntimeSignals,
    private readonly deliveries: DeliverPort,
    private readonly merchants: MerchantMessages,
    private readonly customers: CustomerMessages,
    private readonly strangers: StrangerMessages,
    private readonly merchantDirectory: MerchantsService,
  ) {}

  /** `delivery` is the inbound queue's: claiming it inside the turn makes a redelivery a no-op. */
  async handle(message: InboundMessage, delivery: InboundDelivery): Promise<void> {
    await this.signals.transaction(async (manager) => {
      const turn = new BotTurn(message, manager, this.deliveries, 'en');
      if (!(await this.firstDelivery(turn, delivery))) return;
      await this.route(turn);
    });
  }

  /** Claims the message for this turn; false when it was already handled (a redelivery). */
  private async firstDelivery(turn: BotTurn, delivery: InboundDelivery): Promise<boolean> {
    const fresh = await delivery.claim(turn.manager);
    if (!fresh) this.logger.debug(`duplicate ${turn.message.channel} message ignored`);
    return fresh;
  }

  private async route(turn: BotTurn): Promise<void> {
    const message = turn.message;
    const merchant = await this.merchantDirectory.findByWhatsappPhone(message.from, turn.manager);
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
