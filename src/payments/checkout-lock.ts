import type { EntityManager } from 'typeorm';

/**
 * Serialises "store the push's CheckoutRequestID" with "a callback for it arrives": whichever
 * commits second sees the other, so an early callback is never left unapplied.
 */
export async function lockCheckout(
  manager: EntityManager,
  checkoutRequestId: string,
): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
    `mpesa:checkout:${checkoutRequestId}`,
  ]);
}
