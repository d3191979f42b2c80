import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DomainError, NotFoundError } from '../../common/http/domain-error';
import { type KenyanMobile, parseKenyanMobile } from '../../common/phone';
import {
  BalanceDto,
  InjectInboundDto,
  ManualReportDto,
  NumberBehaviourDto,
  SettingsDto,
} from './africastalking-control.dto';
import { AfricasTalkingSimulatorService } from './africastalking-simulator.service';
import {
  AfricasTalkingSimulatorState,
  type NumberBehaviour,
  type SimulatedSms,
} from './africastalking-simulator.state';

/** Knobs of the simulated Africa's Talking, for the sandbox page and the tests. */
@ApiTags('sandbox')
@Controller('sandbox/africastalking/control')
export class AfricasTalkingControlController {
  constructor(
    private readonly simulator: AfricasTalkingSimulatorService,
    private readonly state: AfricasTalkingSimulatorState,
  ) {}

  @Post('inbound')
  @HttpCode(200)
  inbound(
    @Body() dto: InjectInboundDto,
  ): Promise<{ id: string; linkId: string; callbackStatus: number | 'network-error' }> {
    return this.simulator.injectInbound(phone(dto.from), dto.text, dto.to);
  }

  @Get('inbox/:phone')
  inbox(@Param('phone') raw: string): { phone: string; messages: SimulatedSms[] } {
    const p = phone(raw);
    return { phone: p, messages: this.state.inbox(p) };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): { ok: true } {
    this.state.reset();
    return { ok: true };
  }

  @Post('numbers/:phone')
  @HttpCode(200)
  number(
    @Param('phone') raw: string,
    @Body() dto: NumberBehaviourDto,
  ): { phone: string; behaviour: NumberBehaviour } {
    const p = phone(raw);
    const change: NumberBehaviour = {
      ...(dto.deliveryStatus !== undefined ? { deliveryStatus: dto.deliveryStatus } : {}),
      ...(dto.failureReason !== undefined ? { failureReason: dto.failureReason } : {}),
      ...(dto.deliveryDelayMs !== undefined ? { deliveryDelayMs: dto.deliveryDelayMs } : {}),
      ...(dto.failNextSends !== undefined
        ? {
            failNextSends: {
              statusCode: dto.failNextSends.statusCode,
              count: dto.failNextSends.count,
            },
          }
        : {}),
    };
    return { phone: p, behaviour: this.state.setBehaviour(p, change) };
  }

  @Post('balance')
  @HttpCode(200)
  balance(@Body() dto: BalanceDto): { insufficient: boolean } {
    this.state.insufficientBalance = dto.insufficient;
    return { insufficient: this.state.insufficientBalance };
  }

  @Post('settings')
  @HttpCode(200)
  settings(@Body() dto: SettingsDto): { deliveryDelayMs: number } {
    this.state.deliveryDelayMs = dto.deliveryDelayMs;
    return { deliveryDelayMs: this.state.deliveryDelayMs };
  }

  /** Sends a delivery report now, e.g. a late Success after a Failed. */
  @Post('delivery-reports')
  @HttpCode(200)
  async report(
    @Body() dto: ManualReportDto,
  ): Promise<{ callbackStatus: number | 'network-error' }> {
    const callbackStatus = await this.simulator.report(
      dto.messageId,
      dto.status,
      dto.failureReason,
    );
    if (callbackStatus === undefined) throw new NotFoundError('Message');
    return { callbackStatus };
  }
}

function phone(raw: string): KenyanMobile {
  const parsed = parseKenyanMobile(raw);
  if (!parsed.ok)
    throw new DomainError('invalid_phone', `Not a Kenyan mobile number (${parsed.problem})`, 400);
  return parsed.phone;
}
