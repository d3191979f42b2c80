import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/http/domain-error';

export interface Period {
  from?: Date;
  to?: Date;
}

/**
 * `from` inclusive, `to` exclusive. A bare date is midnight UTC (what `new Date('2026-11-01')`
 * gives), so `from=2026-11-01&to=2026-12-01` is exactly November in UTC.
 */
export function parsePeriod(from?: string, to?: string): Period {
  const period: Period = {};
  if (from !== undefined) period.from = instant('from', from);
  if (to !== undefined) period.to = instant('to', to);
  if (period.from && period.to && period.to.getTime() <= period.from.getTime()) {
    throw new DomainError('validation_failed', 'to must be after from', HttpStatus.BAD_REQUEST);
  }
  return period;
}

function instant(name: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DomainError(
      'validation_failed',
      `${name} must be an ISO 8601 date or date-time`,
      HttpStatus.BAD_REQUEST,
    );
  }
  return date;
}
