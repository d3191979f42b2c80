import { Module } from '@nestjs/common';
import { MerchantsModule } from '../../merchants/merchants.module';
import { AfricasTalkingSimulatorModule } from '../africastalking/africastalking-simulator.module';
import { DarajaSimulatorModule } from '../daraja/daraja-simulator.module';
import { WhatsAppSimulatorModule } from '../whatsapp/whatsapp-simulator.module';
import { SandboxLiveQuery } from './sandbox-live.query';
import { SandboxLiveService } from './sandbox-live.service';
import { SandboxPageController } from './sandbox-page.controller';
import { SandboxSeedService } from './sandbox-seed.service';

@Module({
  imports: [
    MerchantsModule,
    WhatsAppSimulatorModule,
    AfricasTalkingSimulatorModule,
    DarajaSimulatorModule,
  ],
  controllers: [SandboxPageController],
  providers: [SandboxLiveQuery, SandboxLiveService, SandboxSeedService],
  exports: [SandboxSeedService],
})
export class SandboxPageModule {}
