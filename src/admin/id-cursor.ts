import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/http/domain-error';

/**
 * Keyset paging over a table whose bigint ids only grow, newest first. The cursor is the last id
 * shown behind a per-list prefix (so one list's cursor is refused by another), base64url so that
 * callers treat it as opaque.
 */
export interface IdCursor {
  encode(id: string): string;
  /** The id, or a 400 that tells the caller to pass nextCursor back unchanged. */
  decode(cursor: string): string;
}

export function idCursor(prefix: string): IdCursor {
  const pattern = new RegExp(`^${prefix}:\\d{1,18}$`);
  return {
    encode: (id) => Buffer.from(`${prefix}:${id}`, 'utf8').toString('base64url'),
    decode: (cursor) => {
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!pattern.test(text)) {
        throw new DomainError(
          'invalid_cursor',
          'cursor is not valid: pass the nextCursor of the previous page unchanged',
          HttpStatus.BAD_REQUEST,
        );
      }
      return text.slice(prefix.length + 1);
    },
  };
}

/** One page from `limit + 1` rows fetched newest first: the extra row only says there is more. */
export function keysetPage<R extends { id: string | number }, T>(
  rows: R[],
  limit: number,
  cursor: IdCursor,
  toItem: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? cursor.encode(String(last.id)) : null,
  };
}
