/**
 * `Mon, 2026-11-30, 14:10` in a time zone: how fleetbot writes a time for people (the escalation
 * preview, the web console). Build it once per zone and keep it: making an Intl.DateTimeFormat
 * costs far more than formatting with one.
 */
export function localMinuteFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}
