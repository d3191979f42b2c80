const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The textual shape PostgreSQL's uuid type accepts in our ids (any version, either case).
 * Checked before a query because a malformed id makes PostgreSQL refuse the statement, which
 * would turn a plain "not found" into a server error.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
