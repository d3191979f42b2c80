import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { type SimulatedAnswer, WhatsAppSimulatorService } from './whatsapp-simulator.service';

/**
 * The simulated send endpoint, in both providers' shapes: 360dialog (`/messages`, D360-API-KEY)
 * and Meta (`/{phone-number-id}/messages`, Bearer token). Not part of the app's API document.
 */
@ApiExcludeController()
@Controller('sandbox/whatsapp')
export class WhatsAppSimulatorController {
  constructor(private readonly simulator: WhatsAppSimulatorService) {}

  @Post('messages')
  send360(
    @Headers('d360-api-key') apiKey: string | undefined,
    @Body() body: unknown,
    @Res() res: Response,
  ): void {
    answer(res, this.simulator.send({ provider: '360dialog', apiKey }, body));
  }

  @Post(':phoneId/messages')
  sendMeta(
    @Headers('authorization') authorization: string | undefined,
    @Param('phoneId') phoneId: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): void {
    answer(res, this.simulator.send({ provider: 'meta', authorization, phoneId }, body));
  }
}

function answer(res: Response, result: SimulatedAnswer): void {
  res.status(result.httpStatus).json(result.body);
}
