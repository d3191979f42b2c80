import { Injectable, Logger } from '@nestjs/common';
import type { Locale } from '../config/app-config';
import { ConflictError } from '../common/http/domain-error';
import {
  CONVERSATION_MACHINE_KIND,
  type ConversationEvent,
} from '../machines/conversation.machine';
import { MerchantsService } from '../merchants/merchants.service';
import { MachineRunner } from '../runtime/machine-runner';
import { said } from './bot-reply';
import type { BotTurn } from './bot-turn';
import { charLength, normalizeText } from './command-parser.fields';
import { parseCommand } from './command-parser';
import { type ConversationRow, ConversationStore } from './conversation.store';
import { FLOW_BUTTONS } from './flow-replies';
import { sayReply } from '../common/messaging/reply';
import { buttonOf } from './inbound-text';

const DEFAULT_CONTACT = 'support@invoiceiq.co.ke';

/** Sign-up is closed unless MERCHANT_SIGNUP=open: onboarding goes through POST /admin/merchants. */
export function signupOpen(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.MERCHANT_SIGNUP ?? '').trim().toLowerCase() === 'open';
}

const LANGUAGE_ANSWERS: Record<string, Locale> = {
  [FLOW_BUTTONS.langEn]: 'en',
  [FLOW_BUTTONS.langSw]: 'sw',
  en: 'en',
  english: 'en',
  kiingereza: 'en',
  sw: 'sw',
  swahili: 'sw',
  kiswahili: 'sw',
};

/**
 * Numbers that are neither a merchant nor a customer. They can pay nothing and create
 * nothing; with sign-up open, `register` walks them through business name and language.
 */
@Injectable()
export class StrangerMessages {
  private readonly logger = new Logger(StrangerMessages.name);

  constructor(
    private readonly store: ConversationStore,
    private readonly runner: MachineRunner,
    private readonly merchants: MerchantsService,
  ) {}

  /** A customer may become a merchant too: `register`, or a sign-up already under way. */
  async claims(turn: BotTurn): Promise<boolean> {
    if (parseCommand(turn.message.text ?? '').type === 'register') return true;
    const existing = await this.store.read(turn.manager, turn.message.channel, turn.from);
    return existing?.state.startsWith('REGISTER') ?? false;
  }

  async handle(turn: BotTurn): Promise<void> {
    const existing = await this.store.read(turn.manager, turn.message.channel, turn.from, true);
    if (existing?.state.startsWith('REGISTER') && signupOpen()) {
      await this.register(turn, existing);
      return;
    }
    const command = parseCommand(turn.message.text ?? '');
    if (command.type !== 'register') {
      await turn.reply(said(sayReply('stranger_help')));
      return;
    }
    if (!signupOpen()) {
      await turn.reply(
        said(sayReply('signup_closed', { contact: process.env.SIGNUP_CONTACT ?? DEFAULT_CONTACT })),
      );
      return;
    }
    const conversation = await this.store.lock(turn.manager, turn.message.channel, turn.from, {
      merchantId: null,
      locale: turn.locale,
    });
    await this.send(turn, conversation, { type: 'REGISTER' });
  }

  private async register(turn: BotTurn, conversation: ConversationRow): Promise<void> {
    const text = normalizeText(turn.message.text ?? '');
    if (parseCommand(text).type === 'cancel') {
      await this.send(turn, conversation, { type: 'CANCEL' });
      return;
    }
    if (conversation.state === 'REGISTER.business') {
      const length = charLength(text);
      await this.send(
        turn,
        conversation,
        length >= 2 && length <= 40
          ? { type: 'ANSWER', step: 'business', value: text }
          : { type: 'INVALID', problem: null },
      );
      return;
    }
    const button = buttonOf(turn.message, conversation.context.options);
    const locale = LANGUAGE_ANSWERS[button ?? text.toLowerCase()];
    if (!locale) {
      await this.send(turn, conversation, { type: 'INVALID', problem: null });
      return;
    }
    const business = conversation.context.business ?? '';
    const created = await this.merchants
      .create(turn.manager, { displayName: business, whatsappPhone: turn.from, locale })
      // Registered meanwhile from elsewhere (the insert does not abort the turn on a conflict).
      .catch((error: unknown) => {
        if (error instanceof ConflictError) return null;
        throw error;
      });
    if (!created) {
      await this.send(turn, conversation, { type: 'CANCEL' });
      return;
    }
    await this.store.attachMerchant(turn.manager, conversation.id, created.merchant.id);
    this.logger.log(`merchant ${created.merchant.id} registered over ${turn.message.channel}`);
    // No API key over chat: an operator hands it out when the merchant wants the API.
    await this.send(turn, conversation, {
      type: 'REGISTERED',
      merchantId: created.merchant.id,
      business,
      locale,
    });
  }

  private async send(turn: BotTurn, conversation: ConversationRow, event: ConversationEvent) {
    await this.runner.send(CONVERSATION_MACHINE_KIND, conversation.id, event, {
      source: `bot:${turn.message.channel}`,
      dedupeKey: turn.nextEventKey(),
      manager: turn.manager,
    });
  }
}
