import { Module } from '@nestjs/common';
import { RetentionCron } from './retention.cron';
import { RetentionService } from './retention.service';

@Module({ providers: [RetentionService, RetentionCron], exports: [RetentionService] })
export class RetentionModule {}
