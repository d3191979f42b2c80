/** M-PESA accepts whole shillings only, 1 … 250,000 per transaction. */
export const MIN_AMOUNT = 1;
export const MAX_AMOUNT = 250_000;

export function isValidAmount(amount: number): boolean {
  return Number.isInteger(amount) && amount >= MIN_AMOUNT && amount <= MAX_AMOUNT;
}

/** KES 1,500 */
export function formatKes(amount: number): string {
  return `KES ${amount.toLocaleString('en-KE', { maximumFractionDigits: 0 })}`;
}
