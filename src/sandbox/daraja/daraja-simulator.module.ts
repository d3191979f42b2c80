import { Module } from '@nestjs/common';
import { DarajaApiController } from './daraja-api.controller';
import { DarajaCallbackSender } from './daraja-callback.sender';
import { DarajaControlController } from './daraja-control.controller';
import { DarajaControlService } from './daraja-control.service';
import { DarajaPromptsService } from './daraja-prompts.service';
import { DarajaSimState } from './daraja-sim.state';
import { DarajaSimulatorService } from './daraja-simulator.service';

/** Safaricom Daraja (OAuth, STK push, STK query, callbacks) simulated under /sandbox/daraja. */
@Module({
  controllers: [DarajaApiController, DarajaControlController],
  providers: [
    DarajaSimState,
    DarajaCallbackSender,
    DarajaPromptsService,
    DarajaSimulatorService,
    DarajaControlService,
  ],
  exports: [DarajaSimState, DarajaPromptsService, DarajaControlService],
})
export class DarajaSimulatorModule {}
