import { Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AfricasTalkingSimulatorService } from './africastalking-simulator.service';

/**
 * The send endpoint. The app's client posts to the configured base URL as is, so the bare
 * mount point answers as well as AT's own path.
 */
@ApiExcludeController()
@Controller('sandbox/africastalking')
export class AfricasTalkingSimulatorController {
  constructor(private readonly simulator: AfricasTalkingSimulatorService) {}

  @Post()
  sendAtRoot(
    @Headers('apikey') apiKey: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    this.answer(apiKey, req, res);
  }

  @Post('version1/messaging')
  send(
    @Headers('apikey') apiKey: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    this.answer(apiKey, req, res);
  }

  private answer(apiKey: string | undefined, req: Request, res: Response): void {
    const out = this.simulator.send(apiKey, req.body);
    res.status(out.status).type(out.contentType);
    if (out.contentType === 'text/plain') res.send(out.body);
    else res.json(out.body);
  }
}
