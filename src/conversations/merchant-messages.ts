import { Injectable } from '@nestjs/common';
import type { Locale } from '../config/app-config';
import {
  CONVERSATION_MACHINE_KIND,
  type ConversationEvent,
  type EditField,
} from '../machines/conversation.machine';
import type { MerchantRecord } from '../merchants/merchant.record';
import { MachineRunner } from '../runtime/machine-runner';
import { said } from './bot-reply';
import type { BotTurn } from './bot-turn';
import {
  normalizeText,
  parseAmount,
  parseCommand,
  parseCustomerRef,
  parseDescription,
  parseOptionalName,
  type ParsedCommand,
  stripTrailing,
} from './command-parser';
import type { CustomerRef } from './command-parser.types';
import { type ConversationRow, ConversationStore } from './conversation.store';
import { EMPTY_DRAFT, FLOW_BUTTONS } from './flow-replies';
import { invalidCommandSay } from '../common/i18n/problem-messages';
import { sayReply } from '../common/messaging/reply';
import { buttonOf, choiceNumber } from './inbound-text';
import { MerchantCommands } from './merchant-commands';

const EDIT_BUTTONS: Record<string, EditField> = {
  [FLOW_BUTTONS.editCustomer]: 'customer',
  [FLOW_BUTTONS.editAmount]: 'amount',
  [FLOW_BUTTONS.editDescription]: 'description',
};

const SIMPLE_BUTTONS: Record<string, ConversationEvent> = {
  [FLOW_BUTTONS.edit]: { type: 'EDIT' },
  [FLOW_BUTTONS.cancel]: { type: 'CANCEL' },
  [FLOW_BUTTONS.keepGoing]: { type: 'KEEP_GOING' },
  [FLOW_BUTTONS.replaceYes]: { type: 'REPLACE_YES' },
  [FLOW_BUTTONS.replaceNo]: { type: 'REPLACE_NO' },
};

/**
 * A merchant's message: stateless commands are answered here; everything that belongs to the
 * guided flow becomes typed events for the conversation machine, after the I/O it needs
 * (name lookups, creating the invoice on Send) is done.
 */
@Injectable()
export class MerchantMessages {
  constructor(
    private readonly store: ConversationStore,
    private readonly runner: MachineRunner,
    private readonly commands: MerchantCommands,
  ) {}

  async handle(turn: BotTurn, merchant: MerchantRecord): Promise<void> {
    const conversation = await this.store.lock(turn.manager, turn.message.channel, turn.from, {
      merchantId: merchant.id,
      locale: merchant.locale,
    });
    if (conversation.context.locale !== merchant.locale)
      await this.send(turn, conversation, { type: 'LOCALE', locale: merchant.locale });

    const inFlow = conversation.state !== 'IDLE';
    const button = buttonOf(turn.message, conversation.context.options);
    if (button !== null && (await this.onButton(turn, merchant, conversation, button))) return;
    if (turn.message.type !== 'text' && turn.message.type !== 'button') {
      await turn.reply(said(sayReply('unsupported_message')));
      return;
    }
    const text = turn.message.text ?? '';

    const choice = choiceNumber(text);
    const picked = choice === null ? undefined : conversation.context.choices[choice - 1];
    if (conversation.state === 'COLLECT.customer' && picked) {
      await this.send(turn, conversation, {
        type: 'CUSTOMER_RESOLVED',
        phone: picked.phone,
        name: picked.name,
        saved: true,
      });
      return;
    }

    const command = parseCommand(text);
    if (await this.onCommand(turn, merchant, conversation, command, inFlow)) return;
    await this.onAnswer(turn, merchant, conversation, text);
  }

  /** True when the button was ours and has been handled. */
  private async onButton(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
    button: string,
  ): Promise<boolean> {
    if (button === FLOW_BUTTONS.send) {
      await this.sendDraft(turn, merchant, conversation);
      return true;
    }
    const edit = EDIT_BUTTONS[button];
    if (edit) return this.send(turn, conversation, { type: 'EDIT', field: edit }).then(() => true);
    const simple = SIMPLE_BUTTONS[button];
    if (simple) return this.send(turn, conversation, simple).then(() => true);
    const [action, ref] = button.split(':');
    if (action === 'remind' && ref)
      return this.commands.remind(turn, merchant, ref).then(() => true);
    if (action === 'cancel' && ref)
      return this.commands.cancel(turn, merchant, ref).then(() => true);
    return false;
  }

  private async onCommand(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
    command: ParsedCommand,
    inFlow: boolean,
  ): Promise<boolean> {
    switch (command.type) {
      case 'start_invoice':
        await this.send(turn, conversation, inFlow ? { type: 'HELP' } : { type: 'START' });
        return true;
      case 'invoice':
        await this.oneLine(turn, merchant, conversation, command, inFlow);
        return true;
      case 'cancel':
        await this.send(turn, conversation, { type: 'CANCEL' });
        return true;
      case 'help':
        if (inFlow) await this.send(turn, conversation, { type: 'HELP' });
        else await this.commands.help(turn);
        return true;
      case 'back':
        if (!inFlow) return false;
        await this.send(turn, conversation, { type: 'BACK' });
        return true;
      case 'remind':
        await this.commands.remind(turn, merchant, command.ref);
        return true;
      case 'cancel_invoice':
        await this.commands.cancel(turn, merchant, command.ref);
        return true;
      case 'status':
        await this.commands.status(turn, merchant, command.ref);
        return true;
      case 'list':
        await this.commands.list(turn, merchant);
        return true;
      case 'customers':
        await this.commands.customers(turn, merchant);
        return true;
      case 'lang':
        await this.commands.setLanguage(turn, merchant, command.locale);
        await this.send(turn, conversation, { type: 'LOCALE', locale: command.locale });
        return true;
      case 'register':
        await turn.reply(said(sayReply('already_registered', { business: merchant.displayName })));
        return true;
      case 'invalid':
        // Mid-flow a bad `lang` or `remind` is still a command; a field answer never parses as one.
        await turn.reply(said({ key: `err_${command.problem}`, body: invalidCommandSay(command) }));
        return true;
      case 'pay':
      case 'stop':
      case 'unknown':
        return false;
    }
  }

  /** `invoice <customer> <amount> <description>`: at once when idle, after a Yes mid-flow. */
  private async oneLine(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
    command: { customer: CustomerRef; amount: number; description: string },
    inFlow: boolean,
  ): Promise<void> {
    const customer = await this.commands.resolve(turn, merchant.id, command.customer);
    if (inFlow) {
      // Replacing happens only after a Yes; a name still to settle is asked for after it.
      await this.send(turn, conversation, {
        type: 'REPLACE_ASK',
        draft: {
          ...EMPTY_DRAFT,
          ...(customer.kind === 'one'
            ? { phone: customer.phone, name: customer.name, saved: customer.saved }
            : { hint: customer.kind === 'unknown' ? customer.name : null }),
          // A one-line invoice never stops to ask for a name.
          nameAsked: true,
          amount: command.amount,
          description: command.description,
        },
      });
      return;
    }
    if (customer.kind === 'one') {
      await this.commands.createInvoice(
        turn,
        merchant,
        { ...customer, amount: command.amount, description: command.description },
        `bot:${turn.message.channel}:${turn.message.id}`,
      );
      return;
    }
    // A name to settle first: the guided flow takes over with amount and description filled in.
    await this.send(turn, conversation, {
      type: 'START',
      amount: command.amount,
      description: command.description,
    });
    await this.send(
      turn,
      conversation,
      customer.kind === 'unknown'
        ? { type: 'CUSTOMER_UNKNOWN', name: customer.name }
        : { type: 'CUSTOMER_AMBIGUOUS', name: customer.name, choices: customer.choices },
    );
  }

  /** Free text: the answer to the current step, or an unknown command when idle. */
  private async onAnswer(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
    text: string,
  ): Promise<void> {
    switch (conversation.state) {
      case 'COLLECT.customer': {
        const parsed = parseCustomerRef(text);
        if (!parsed.ok) {
          const { ok: _ok, ...problem } = parsed;
          await this.send(turn, conversation, { type: 'INVALID', problem });
          return;
        }
        const customer = await this.commands.resolve(turn, merchant.id, parsed.customer);
        await this.send(
          turn,
          conversation,
          customer.kind === 'one'
            ? {
                type: 'CUSTOMER_RESOLVED',
                phone: customer.phone,
                name: customer.name,
                saved: customer.saved,
              }
            : customer.kind === 'unknown'
              ? { type: 'CUSTOMER_UNKNOWN', name: customer.name }
              : { type: 'CUSTOMER_AMBIGUOUS', name: customer.name, choices: customer.choices },
        );
        return;
      }
      case 'COLLECT.name': {
        const parsed = parseOptionalName(text);
        await this.send(
          turn,
          conversation,
          parsed.ok
            ? { type: 'ANSWER', step: 'name', value: parsed.name }
            : { type: 'INVALID', problem: { problem: parsed.problem } },
        );
        return;
      }
      case 'COLLECT.amount': {
        const parsed = parseAmount(text);
        await this.send(
          turn,
          conversation,
          parsed.ok
            ? { type: 'ANSWER', step: 'amount', value: parsed.amount }
            : { type: 'INVALID', problem: { problem: parsed.problem } },
        );
        return;
      }
      case 'COLLECT.description': {
        const parsed = parseDescription(text);
        await this.send(
          turn,
          conversation,
          parsed.ok
            ? { type: 'ANSWER', step: 'description', value: parsed.description }
            : { type: 'INVALID', problem: { problem: parsed.problem } },
        );
        return;
      }
      case 'READY':
        await this.onReadyText(turn, merchant, conversation, text);
        return;
      default:
        await turn.reply(said(sayReply('unknown_command')));
    }
  }

  private async onReadyText(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
    text: string,
  ): Promise<void> {
    const word = stripTrailing(normalizeText(text).toLowerCase(), '.!');
    if (['send', 'tuma', 'yes', 'ndio', 'ndiyo', 'ok', 'sawa'].includes(word))
      await this.sendDraft(turn, merchant, conversation);
    else if (['edit', 'badilisha', 'change'].includes(word))
      await this.send(turn, conversation, { type: 'EDIT' });
    else await this.send(turn, conversation, { type: 'HELP' });
  }

  /** Send from READY: the invoice is created first, then the machine hears which one. */
  private async sendDraft(
    turn: BotTurn,
    merchant: MerchantRecord,
    conversation: ConversationRow,
  ): Promise<void> {
    const { draft } = conversation.context;
    if (
      conversation.state !== 'READY' ||
      draft.phone === null ||
      draft.amount === null ||
      draft.description === null
    ) {
      // A late tap on an old preview: the flow has moved on.
      await this.send(turn, conversation, { type: 'HELP' });
      return;
    }
    const line = {
      phone: draft.phone,
      name: draft.name,
      amount: draft.amount,
      description: draft.description,
    };
    const seq = conversation.context.seq;
    const invoice = await this.commands.create(
      turn,
      merchant,
      line,
      `bot:conversation:${conversation.id}:${seq}`,
    );
    await this.send(turn, conversation, { type: 'SEND', ref: invoice.ref, invoiceId: invoice.id });
  }

  private async send(
    turn: BotTurn,
    conversation: ConversationRow,
    event: ConversationEvent,
  ): Promise<void> {
    const result = await this.runner.send(CONVERSATION_MACHINE_KIND, conversation.id, event, {
      source: `bot:${turn.message.channel}`,
      dedupeKey: turn.nextEventKey(),
      manager: turn.manager,
    });
    if (result.accepted) {
      conversation.state = result.state;
      conversation.context = result.snapshot.context as unknown as ConversationRow['context'];
    }
  }
}

export type { Locale };
