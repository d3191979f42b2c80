import { InitialSchema1795678900000 } from './1795678900000-InitialSchema';
import { Deliveries1795681505272 } from './1795681505272-Deliveries';
import { ReportingIndexes1795683310275 } from './1795683310275-ReportingIndexes';
import { StatsRollup1795687973819 } from './1795687973819-StatsRollup';
import { PaymentReview1795690763757 } from './1795690763757-PaymentReview';
import { PaymentPushStarted1796317659730 } from './1796317659730-PaymentPushStarted';
import { InboundEventAttempts1796318267469 } from './1796318267469-InboundEventAttempts';
import { DeliverySendStarted1796321203393 } from './1796321203393-DeliverySendStarted';
import { InboundOnOutbox1796327779001 } from './1796327779001-InboundOnOutbox';

/** Every migration, oldest first. Listed by hand so that compiled and ts-jest runs load the same set. */
export const MIGRATIONS = [
  InitialSchema1795678900000,
  Deliveries1795681505272,
  ReportingIndexes1795683310275,
  StatsRollup1795687973819,
  PaymentReview1795690763757,
  PaymentPushStarted1796317659730,
  InboundEventAttempts1796318267469,
  DeliverySendStarted1796321203393,
  InboundOnOutbox1796327779001,
];
