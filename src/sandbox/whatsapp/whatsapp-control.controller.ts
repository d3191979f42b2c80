import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DomainError, NotFoundError } from '../../common/http/domain-error';
import { parseKenyanMobile, toWhatsAppId } from '../../common/phone';
import {
  InjectInboundDto,
  PushStatusDto,
  ThroughputDto,
  TimingDto,
  UserSettingsDto,
} from './whatsapp-control.dto';
import { type InboundAction, WhatsAppSimulatorService } from './whatsapp-simulator.service';
import {
  type TranscriptEntry,
  type UserSettings,
  WhatsAppSimulatorState,
} from './whatsapp-simulator.state';
import type { WebhookAnswer } from './whatsapp-webhook.sender';

/** Knobs of the simulated WhatsApp, for the sandbox page and the tests. Phones in any Kenyan form. */
@ApiTags('sandbox')
@Controller('sandbox/whatsapp/control')
export class WhatsAppControlController {
  constructor(
    private readonly simulator: WhatsAppSimulatorService,
    private readonly state: WhatsAppSimulatorState,
  ) {}

  @Post('users/:phone/inbound')
  @HttpCode(200)
  inbound(
    @Param('phone') raw: string,
    @Body() dto: InjectInboundDto,
  ): Promise<{ messageId: string; webhookStatus: WebhookAnswer }> {
    return this.simulator.injectInbound(waId(raw), action(dto), {
      profileName: dto.profileName,
      contextMessageId: dto.contextMessageId,
    });
  }

  @Post('users/:phone/settings')
  @HttpCode(200)
  settings(
    @Param('phone') raw: string,
    @Body() dto: UserSettingsDto,
  ): { phone: string; settings: UserSettings } {
    const phone = waId(raw);
    const change: Partial<UserSettings> = {};
    for (const key of ['notOnWhatsApp', 'asyncWindowFailure', 'autoDeliver', 'autoRead'] as const)
      if (dto[key] !== undefined) change[key] = dto[key];
    return { phone, settings: this.state.updateSettings(phone, change) };
  }

  @Get('users/:phone/transcript')
  transcript(@Param('phone') raw: string): {
    phone: string;
    windowOpen: boolean;
    lastInboundAt: string | null;
    settings: UserSettings;
    messages: TranscriptEntry[];
  } {
    const phone = waId(raw);
    const user = this.state.user(phone);
    return {
      phone,
      windowOpen: this.state.windowOpen(phone),
      lastInboundAt: user.lastInboundAt?.toISOString() ?? null,
      settings: { ...user.settings },
      messages: this.state.transcript(phone),
    };
  }

  /** The person opens the chat: delivered messages turn read (for autoRead: false). */
  @Post('users/:phone/read')
  @HttpCode(200)
  async read(@Param('phone') raw: string): Promise<{ read: number }> {
    return { read: await this.simulator.readAll(waId(raw)) };
  }

  /** Sends one status webhook now, e.g. out of order or a late failure. */
  @Post('messages/:id/status')
  @HttpCode(200)
  async status(
    @Param('id') id: string,
    @Body() dto: PushStatusDto,
  ): Promise<{ webhookStatus: WebhookAnswer }> {
    const webhookStatus = await this.simulator.pushStatus(id, dto.status, dto.errorCode);
    if (webhookStatus === undefined) throw new NotFoundError('Message');
    return { webhookStatus };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): { ok: true } {
    this.state.reset();
    return { ok: true };
  }

  @Post('throughput')
  @HttpCode(200)
  throughput(@Body() dto: ThroughputDto): { perSecond: number } {
    this.state.perSecond = dto.perSecond;
    return { perSecond: this.state.perSecond };
  }

  @Post('timing')
  @HttpCode(200)
  timing(@Body() dto: TimingDto): { stepMs: number } {
    this.state.stepMs = dto.stepMs;
    return { stepMs: this.state.stepMs };
  }
}

/** WhatsApp ids are digits with the country code: 254…. */
function waId(raw: string): string {
  const parsed = parseKenyanMobile(raw);
  if (parsed.ok) return toWhatsAppId(parsed.phone);
  const digits = raw.replace(/^\+/, '');
  if (/^\d{8,15}$/.test(digits)) return digits;
  throw new DomainError('invalid_phone', 'Not a phone number with country code', 400);
}

function action(dto: InjectInboundDto): InboundAction {
  const given: InboundAction[] = [];
  if (dto.text !== undefined) given.push({ kind: 'text', text: dto.text });
  if (dto.buttonReplyId !== undefined)
    given.push({ kind: 'button_reply', id: dto.buttonReplyId, title: dto.title });
  if (dto.listReplyId !== undefined)
    given.push({ kind: 'list_reply', id: dto.listReplyId, title: dto.title });
  if (dto.templateButtonPayload !== undefined)
    given.push({ kind: 'template_button', payload: dto.templateButtonPayload, text: dto.title });
  if (dto.type !== undefined) given.push({ kind: 'unsupported', type: dto.type });
  if (given.length !== 1)
    throw new DomainError(
      'invalid_inbound',
      'Give exactly one of text, buttonReplyId, listReplyId, templateButtonPayload, type',
      400,
    );
  return given[0];
}
