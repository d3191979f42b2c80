import { Module } from '@nestjs/common';
import { AfricasTalkingCallbackSender } from './africastalking-callback.sender';
import { AfricasTalkingControlController } from './africastalking-control.controller';
import { AfricasTalkingSimulatorController } from './africastalking-simulator.controller';
import { AfricasTalkingSimulatorService } from './africastalking-simulator.service';
import { AfricasTalkingSimulatorState } from './africastalking-simulator.state';

/**
 * Africa's Talking SMS, simulated under /sandbox/africastalking. The state (with its event
 * emitter) is exported for the sandbox page.
 */
@Module({
  controllers: [AfricasTalkingSimulatorController, AfricasTalkingControlController],
  providers: [
    AfricasTalkingSimulatorState,
    AfricasTalkingCallbackSender,
    AfricasTalkingSimulatorService,
  ],
  exports: [AfricasTalkingSimulatorState, AfricasTalkingSimulatorService],
})
export class AfricasTalkingSimulatorModule {}
