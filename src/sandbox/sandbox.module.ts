import { Module } from '@nestjs/common';
import { AfricasTalkingSimulatorModule } from './africastalking/africastalking-simulator.module';
import { DarajaSimulatorModule } from './daraja/daraja-simulator.module';
import { SandboxPageModule } from './page/sandbox-page.module';
import { WhatsAppSimulatorModule } from './whatsapp/whatsapp-simulator.module';

/**
 * Local simulators of the three providers, speaking their real wire protocols over HTTP under
 * /sandbox/…. Mounted only in sandbox mode (and in tests): the app's real clients point at them.
 */
@Module({
  imports: [
    DarajaSimulatorModule,
    WhatsAppSimulatorModule,
    AfricasTalkingSimulatorModule,
    SandboxPageModule,
  ],
})
export class SandboxModule {}
