import { Module } from '@nestjs/common';
import { WhatsAppControlController } from './whatsapp-control.controller';
import { WhatsAppSimulatorController } from './whatsapp-simulator.controller';
import { WhatsAppSimulatorService } from './whatsapp-simulator.service';
import { WhatsAppSimulatorState } from './whatsapp-simulator.state';
import { WhatsAppWebhookSender } from './whatsapp-webhook.sender';

/**
 * The WhatsApp Cloud API (Meta or 360dialog shape), simulated under /sandbox/whatsapp. The state
 * (with its `events` emitter of transcript changes) is exported for the sandbox page.
 */
@Module({
  controllers: [WhatsAppSimulatorController, WhatsAppControlController],
  providers: [WhatsAppSimulatorState, WhatsAppWebhookSender, WhatsAppSimulatorService],
  exports: [WhatsAppSimulatorState, WhatsAppSimulatorService],
})
export class WhatsAppSimulatorModule {}
