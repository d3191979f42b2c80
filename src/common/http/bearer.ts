/**
 * `Bearer <token>` (RFC 6750): the scheme is case-insensitive and separated from the token by
 * spaces or tabs (RFC 7230 OWS, which is all an HTTP header can carry between them).
 */
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header; undefined when missing or malformed. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return BEARER.exec(authorization)?.[1];
}
