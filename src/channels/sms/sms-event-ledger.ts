import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { INBOUND_LEASED_UNTIL } from '../../runtime/inbound-retries';

export const AT_PROVIDER = 'africastalking';

export type CallbackKind = 'inbound' | 'status';

/**
 * The inbound_events rows of Africa's Talking: the dedupe ledger of its callbacks. Keys:
 * `inbound:<id>`, `status:<id>:<status>`, and `rejected:<kind>:<body hash>` for bodies we
 * could not use (kept so ops can see them; a retried copy of the same body dedupes too).
 */
@Injectable()
export class SmsEventLedger {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the event unless it is already there; the new row's id, or null for a duplicate.
   * `claimed`: a handler runs it right away, so the insert counts that first attempt and leases
   * the row (see runtime/inbound-retries.ts).
   */
  async insertOnce(
    externalId: string,
    payload: Record<string, unknown>,
    options: { processed?: boolean; claimed?: boolean; manager?: EntityManager } = {},
  ): Promise<string | null> {
    const rows: { id: string }[] = await (options.manager ?? this.dataSource).query(
      `INSERT INTO inbound_events (provider, external_id, payload, processed_at, attempts, next_attempt_at)
       VALUES ($1, $2, $3::jsonb, CASE WHEN $4::boolean THEN now() END,
               CASE WHEN $5::boolean THEN 1 ELSE 0 END,
               CASE WHEN $5::boolean THEN ${INBOUND_LEASED_UNTIL} END)
       ON CONFLICT (provider, external_id) DO NOTHING
       RETURNING id`,
      [
        AT_PROVIDER,
        externalId,
        JSON.stringify(payload),
        options.processed ?? false,
        options.claimed ?? false,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async markProcessed(id: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource).query(
      `UPDATE inbound_events SET processed_at = now(), next_attempt_at = NULL WHERE id = $1`,
      [id],
    );
  }

  /**
   * Records a callback we refuse to act on. Only field names are kept: the values may be
   * phone numbers or message text, and a body we cannot parse is not worth that risk.
   */
  async recordRejected(
    kind: CallbackKind,
    reason: string,
    body: unknown,
    rawBody: Buffer | undefined,
    id?: string,
  ): Promise<void> {
    const fields =
      body && typeof body === 'object' && !Array.isArray(body)
        ? Object.keys(body).slice(0, 50).sort()
        : [];
    const digest = createHash('sha256')
      .update(rawBody ?? Buffer.from(JSON.stringify(body ?? null)))
      .digest('hex')
      .slice(0, 32);
    await this.insertOnce(
      `rejected:${kind}:${digest}`,
      { kind, rejected: reason, ...(id ? { id } : {}), fields },
      { processed: true },
    );
  }
}

/**
 * TypeORM's postgres driver answers an UPDATE or DELETE with `[rows, rowCount]` and anything
 * else with the rows; this gives the rows either way.
 */
export function rowsOf<T>(raw: unknown): T[] {
  if (!Array.isArray(raw)) return [];
  if (raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return raw as T[];
}
