import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { loggerParams } from './common/logging/logger-options';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { AdminModule } from './admin/admin.module';
import { DeliveryModule } from './channels/delivery/delivery.module';
import { ConversationsModule } from './conversations/conversations.module';
import { InboundModule } from './inbound/inbound.module';
import { HealthModule } from './health/health.module';
import { InvoicesModule } from './invoices/invoices.module';
import { PayPageModule } from './pay-page/pay-page.module';
import { PaymentsModule } from './payments/payments.module';
import { ReportsModule } from './reports/reports.module';
import type { Clock } from './runtime/clock';
import { RuntimeModule } from './runtime/runtime.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { MetricsModule } from './stats/metrics.module';
import { StatsModule } from './stats/stats.module';
import { RetentionModule } from './retention/retention.module';

export interface AppModuleOptions {
  /** Where log lines go; tests pass a stream to read them back. */
  logStream?: DestinationStream;
  /** Extra modules mounted beside the app's own (tests use it for probe routes). */
  imports?: NonNullable<DynamicModule['imports']>;
  /**
   * Mount the product's modules (invoices, payments, delivery, bot, admin, pay page). Tests of a
   * single module turn this off and mount only what they exercise.
   */
  domain?: boolean;
  /** Time source; tests pass a ManualClock. */
  clock?: Clock;
}

const DOMAIN_MODULES = [
  InvoicesModule,
  PaymentsModule,
  DeliveryModule,
  ConversationsModule,
  InboundModule,
  AdminModule,
  PayPageModule,
  StatsModule,
  ReportsModule,
  // Deletes and masks through the owners of the tables it ages out, so it sits above them.
  RetentionModule,
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const url = config.database.url;
    if (!url) throw new Error('AppModule needs a database URL (start the embedded database first)');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, options.logStream)),
        TypeOrmModule.forRoot({
          ...dataSourceOptions({
            url,
            migrationsRun: config.database.migrationsRun,
            poolSize: config.database.poolSize,
          }),
        }),
        ScheduleModule.forRoot(),
        RuntimeModule.forRoot({ clock: options.clock }),
        HealthModule,
        MetricsModule,
        ...(options.domain === false ? [] : DOMAIN_MODULES),
        ...(config.sandbox ? [SandboxModule] : []),
        ...(options.imports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
