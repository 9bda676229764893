import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Values a browser keeps for us but cannot forge or extend: `base64url(JSON)` `.` `base64url(HMAC-SHA256)`.
 * The JSON carries its own expiry (`exp`, ms since the epoch), so a copied value stops working by
 * itself; a new secret makes every value signed with the old one fail to verify. The MAC also covers
 * a purpose (`session`, `login`), so a value signed for one use is refused for another. Signed, not
 * encrypted: keep nothing in it that its own holder may not read.
 */
export interface SignOptions {
  secret: string;
  /** What the value is for; verifying with another purpose fails. */
  purpose: string;
  expiresAt: Date;
}

export interface VerifyOptions {
  secret: string;
  purpose: string;
  /** Values whose `exp` is at or before this are refused. */
  now: Date;
}

/** Longest value accepted: a cookie is at most 4 KB anyway, and nothing longer is worth a MAC. */
const MAX_LENGTH = 4096;

function mac(secret: string, purpose: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}.${body}`).digest();
}

/** Signs `payload` (a JSON object; its `exp` key is set here). */
export function signValue(payload: Readonly<Record<string, unknown>>, options: SignOptions): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: options.expiresAt.getTime() })).toString(
    'base64url',
  );
  return `${body}.${mac(options.secret, options.purpose, body).toString('base64url')}`;
}

/**
 * The payload of a value signed with this secret and purpose and not yet expired; undefined for
 * anything else (tampered, truncated, another secret or purpose, expired, not ours at all). The
 * signature is compared in constant time, before the body is parsed.
 */
export function verifyValue(token: string, options: VerifyOptions): Record<string, unknown> | undefined {
  if (token.length > MAX_LENGTH) return undefined;
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  // Compared as text, not decoded: base64url decoding ignores a last character's spare bits, so
  // several spellings decode to the same MAC, and only the one we wrote is ours.
  const expected = Buffer.from(mac(options.secret, options.purpose, body).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const { exp } = payload as { exp?: unknown };
  if (typeof exp !== 'number' || exp <= options.now.getTime()) return undefined;
  return payload as Record<string, unknown>;
}
