import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/http/domain-error';
import { isUuid } from '../common/text/uuid';

/** Position after the last row of a page, in (created_at, id) descending order. */
export interface InvoiceCursor {
  /** created_at with microseconds, as PostgreSQL printed it: a JS Date would lose them. */
  createdAt: string;
  id: string;
}

const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A time PostgreSQL accepts: the shape alone lets 2026-13-45T99:… or year 0000 through, and the
 * query then fails with a 500 instead of the cursor's 400.
 */
function isRealTime(text: string): boolean {
  if (!EXACT_TIME.test(text) || text.startsWith('0000')) return false;
  const millis = `${text.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.toISOString() === millis;
}

export function encodeCursor(cursor: InvoiceCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(encoded: string): InvoiceCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    isRealTime(parsed[0]) &&
    typeof parsed[1] === 'string' &&
    isUuid(parsed[1])
  ) {
    return { createdAt: parsed[0], id: parsed[1] };
  }
  throw new DomainError(
    'invalid_cursor',
    'cursor is not valid: pass the nextCursor of the previous page unchanged',
    HttpStatus.BAD_REQUEST,
  );
}
