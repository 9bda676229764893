/**
 * The Cookie request header as name → value. When a name appears twice (a cookie set on two paths),
 * the first wins: browsers send the most specific path first.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const name = pair.slice(0, equals).trim();
    let value = pair.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieAttributes {
  path: string;
  /** Seconds until the browser drops it; 0 deletes it now. Absent: a session cookie. */
  maxAgeSeconds?: number;
  /** Only over https. */
  secure: boolean;
  /** @defaultValue `Lax` */
  sameSite?: 'Lax' | 'Strict';
}

/** One Set-Cookie header value, always HttpOnly: no script of any page reads these. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    'HttpOnly',
    `SameSite=${attributes.sameSite ?? 'Lax'}`,
  ];
  if (attributes.maxAgeSeconds !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAgeSeconds))}`);
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}
