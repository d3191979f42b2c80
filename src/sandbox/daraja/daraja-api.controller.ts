import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DarajaSimulatorService, type WireRequest } from './daraja-simulator.service';
import type { SimReply } from './daraja-simulator.types';

function wire(req: Request): WireRequest {
  return {
    path: req.path,
    contentType: req.headers['content-type'],
    authorization: req.headers.authorization,
    body: req.body as unknown,
  };
}

function send(res: Response, reply: SimReply): void {
  if ('drop' in reply) {
    res.socket?.destroy();
    return;
  }
  res.status(reply.status).json(reply.body);
}

/**
 * Safaricom's Daraja API as the app's real client sees it, under /sandbox/daraja. Raw request and
 * response: the simulator answers with Daraja's envelopes and status codes, not the app's.
 */
@ApiExcludeController()
@Controller('sandbox/daraja')
export class DarajaApiController {
  constructor(private readonly simulator: DarajaSimulatorService) {}

  @Get('oauth/v1/generate')
  async oauth(@Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.simulator.oauth({ ...wire(req), grantType: req.query.grant_type }));
  }

  @Post('mpesa/stkpush/v1/processrequest')
  async push(@Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.simulator.push(wire(req)));
  }

  @Post('mpesa/stkpushquery/v1/query')
  async query(@Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.simulator.query(wire(req)));
  }
}
