import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretEquals(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header (or such a value), if there is one. */
export function bearerToken(
  req: { headers: IncomingHttpHeaders } | string | undefined,
): string | undefined {
  const value = typeof req === 'object' ? req.headers.authorization : req;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

/**
 * Whether the token matches one of the keys. Every key is compared, so the time taken does not
 * reveal which one matched.
 */
export function matchesAnyKey(token: string | undefined, keys: readonly string[]): boolean {
  const matches = keys.map((key) => token !== undefined && secretEquals(token, key));
  return matches.includes(true);
}
