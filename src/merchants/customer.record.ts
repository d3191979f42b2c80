/** A number a merchant has invoiced, with the name the merchant gave it (if any). */
export interface SavedCustomer {
  /** E.164. */
  phone: string;
  name: string | null;
}
