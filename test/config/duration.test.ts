import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/index.ts';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['90m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'fast', '5', '5 m', ' 5m', '1.5h', '-5m', '5ms', '30m1h', '1h1h', '5M', '9999999999999999d'])(
    'rejects %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(RangeError);
    },
  );

  it('says what it expected', () => {
    expect(() => parseDuration('fast')).toThrow('expected a duration like 15m, got "fast"');
    expect(() => parseDuration('9999999999999999d')).toThrow(
      'expected a duration of at most 285000 years, got "9999999999999999d"',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [93_784_000, '1d2h3m4s'],
    [1_999, '1s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration in canonical form', () => {
    for (const text of ['15m', '1h30m', '7d', '2h', '45s'])
      expect(formatDuration(parseDuration(text))).toBe(text);
    expect(formatDuration(parseDuration('24h'))).toBe('1d');
  });

  it('rejects negative and non-finite input', () => {
    expect(() => formatDuration(-1)).toThrow(
      new RangeError('expected a non-negative number of milliseconds, got -1'),
    );
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
