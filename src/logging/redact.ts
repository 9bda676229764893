/**
 * Secret scrubbing for everything that leaves the process as text (logs today;
 * Slack messages and audit rows reuse it). Key names decide for values of any
 * type; strings are also scanned, because secrets hide inside error messages
 * and connection strings whatever the key is called.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /pass(word|wd|phrase)?$|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key|connection[-_]?string|signature/i;

// user:password@ in any URL-like string (postgres://, redis://, https://...). Every repetition is
// bounded: an unbounded scheme made scrubbing quadratic on a long run of letters (20,000 took 0.4 s).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]{0,31}:\/\/[^:/?#@\s]{0,1024}):([^@/?#\s]{1,1024})@/gi;
// The part of URL_CREDENTIALS after the scheme: every match of it contains a match of this. Starting
// with a literal, it is found by a fast scan, so text without credentials (a whole console page full of
// links) is not tried for a scheme at every letter.
const URL_CREDENTIALS_HINT = /:\/\/[^:/?#@\s]{0,1024}:[^@/?#\s]{1,1024}@/;
// Slack tokens, bearer tokens, password=... pairs in DSNs and Azure connection strings.
const TOKEN_PATTERNS: readonly [RegExp, string][] = [
  [/\bxox[abposer]-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [
    /\b(password|pwd|secret|token|InstrumentationKey|AccountKey|SharedAccessKey)=([^;&\s]+)/gi,
    `$1=${REDACTED}`,
  ],
];

const MAX_DEPTH = 10;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function redactString(text: string): string {
  let out = URL_CREDENTIALS_HINT.test(text) ? text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`) : text;
  for (const [pattern, replacement] of TOKEN_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of `value` with secrets replaced. Errors become plain objects (type,
 * message, stack, code, cause) so that their text is scrubbed too. Cycles and
 * very deep values are cut rather than followed.
 */
export function redactSecrets(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) return walk(errorToObject(value), depth, seen);
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSecretKey(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1, seen);
  }
  return out;
}

function errorToObject(error: Error): Record<string, unknown> {
  const plain: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, item] of Object.entries(error)) plain[key] = item;
  if (error.cause !== undefined) plain.cause = error.cause;
  return plain;
}

/**
 * A command line as typed, fit to show or keep: `KEY=value` words whose key looks secret keep the
 * key only (`DB_PASSWORD=[REDACTED]`), and credentials anywhere in it are scrubbed like log text.
 */
export function redactCommand(args: string): string {
  return redactString(
    args
      .trim()
      .split(/\s+/)
      .map((word) => {
        const eq = word.indexOf('=');
        // Equivalent mutants: `eq >= 0` adds only words that start with '=', whose key '' is never
        // secret. SECRET_KEY has no start anchor, so a flag's leading dashes (`--api-key`) never change
        // the verdict, however many are stripped or what replaces them; stripping the first dashes
        // anywhere (`/-+/`) differs only for a secret word split by a dash (`pass-word`).
        // Stryker disable next-line EqualityOperator,Regex,StringLiteral: equivalent, see above
        return eq > 0 && isSecretKey(word.slice(0, eq).replace(/^-+/, ''))
          ? `${word.slice(0, eq)}=${REDACTED}`
          : word;
      })
      .join(' '),
  );
}
