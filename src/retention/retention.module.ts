import { Module } from '@nestjs/common';
import { DeliveryModule } from '../channels/delivery/delivery.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { RetentionCron } from './retention.cron';
import { RetentionService } from './retention.service';

/** The daily data retention job; each table's rows are aged out by that table's owner. */
@Module({
  imports: [DeliveryModule, ConversationsModule, InvoicesModule],
  providers: [RetentionService, RetentionCron],
  exports: [RetentionService],
})
export class RetentionModule {}
