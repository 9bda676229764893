const UNITS = [
  { suffix: 'd', ms: 86_400_000 },
  { suffix: 'h', ms: 3_600_000 },
  { suffix: 'm', ms: 60_000 },
  { suffix: 's', ms: 1_000 },
] as const;

// Units in descending order, each at most once: '1h30m' reads unambiguously, '30m1h' and '5' do not.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** What every duration problem says is expected, so config files and CLI flags fail the same way. */
export const DURATION_EXPECTED = 'a duration like 15m';

/**
 * Parses a duration such as `30s`, `5m`, `4h`, `1d` or `1h30m` into milliseconds.
 * Units are `d`, `h`, `m`, `s`, largest first, each at most once; `0s` is allowed.
 * @throws RangeError for anything else (empty text, bare numbers, `ms`, spaces, negative values).
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (text === '' || !match)
    throw new RangeError(`expected ${DURATION_EXPECTED}, got ${JSON.stringify(text)}`);
  let total = 0;
  UNITS.forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * unit.ms;
  });
  if (!Number.isSafeInteger(total))
    throw new RangeError(`expected a duration of at most 285000 years, got ${JSON.stringify(text)}`);
  return total;
}

/**
 * Formats milliseconds the way config files write them, largest units first: 5400000 → `1h30m`,
 * 0 → `0s`. Sub-second remainders are dropped, so `formatDuration(parseDuration(x))` is `x` in
 * canonical form (`90m` → `1h30m`).
 * @throws RangeError for negative or non-finite input.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`expected a non-negative number of milliseconds, got ${ms}`);
  let rest = Math.floor(ms / 1_000) * 1_000;
  let text = '';
  for (const unit of UNITS) {
    const amount = Math.floor(rest / unit.ms);
    if (amount > 0) text += `${amount}${unit.suffix}`;
    rest -= amount * unit.ms;
  }
  return text === '' ? '0s' : text;
}
