import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  FaultDto,
  ModeDto,
  NextOutcomeDto,
  RequestsQueryDto,
  ResetDto,
  RespondDto,
  SettingsDto,
} from './daraja-control.dto';
import { DarajaControlService, promptView } from './daraja-control.service';
import { DarajaPromptsService } from './daraja-prompts.service';

/** Steering the Daraja simulator: outcomes, prompts, faults, and what it received. Sandbox only. */
@ApiTags('sandbox: daraja control')
@Controller('sandbox/daraja/control')
export class DarajaControlController {
  constructor(
    private readonly control: DarajaControlService,
    private readonly prompts: DarajaPromptsService,
  ) {}

  @Post('next-outcome')
  @HttpCode(200)
  nextOutcome(@Body() dto: NextOutcomeDto) {
    return { queued: this.prompts.enqueue(dto) };
  }

  @Post('mode')
  @HttpCode(200)
  mode(@Body() dto: ModeDto) {
    return { settings: this.control.settings({ mode: dto.mode }) };
  }

  @Get('settings')
  getSettings() {
    return { settings: this.control.settings() };
  }

  @Post('settings')
  @HttpCode(200)
  setSettings(@Body() dto: SettingsDto) {
    return { settings: this.control.settings(dto) };
  }

  @Post('faults')
  @HttpCode(200)
  fault(@Body() dto: FaultDto) {
    return { faults: this.control.addFault(dto) };
  }

  @Post('tokens/expire')
  @HttpCode(200)
  expireTokens() {
    return { expired: this.control.expireTokens() };
  }

  @Get('prompts')
  pendingPrompts() {
    return { prompts: this.control.pendingPrompts() };
  }

  @Post('prompts/:checkoutRequestId/respond')
  @HttpCode(200)
  async respond(@Param('checkoutRequestId') id: string, @Body() dto: RespondDto) {
    return { prompt: promptView(await this.prompts.respond(id, dto.action, dto.delayMs)) };
  }

  @Get('pushes')
  pushes() {
    return { pushes: this.control.pushes() };
  }

  @Get('requests')
  requests(@Query() query: RequestsQueryDto) {
    return this.control.requests(query.kind);
  }

  @Get('callbacks')
  callbacks() {
    return { callbacks: this.control.callbacks() };
  }

  @Post('reset')
  @HttpCode(200)
  reset(@Body() dto: ResetDto) {
    this.control.reset(dto.tokens ?? false);
    return { ok: true };
  }
}
