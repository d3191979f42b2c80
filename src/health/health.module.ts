import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, MigrationsHealthIndicator } from './health.controller';
import { MigrationsQuery } from './migrations.query';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [MigrationsHealthIndicator, MigrationsQuery],
})
export class HealthModule {}
