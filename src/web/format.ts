import { isDrill } from '../domain/incident.ts';
import { localMinuteFormat } from '../lib/local-time.ts';
import { type Html, html } from './html.ts';

/**
 * How the console writes times: in the team's zone (business hours' zone), with the zone named,
 * and as `<time datetime>` so a browser or a screen reader has the exact instant.
 */
export interface Formats {
  zone: string;
  /** `Mon 2026-11-30 18:42`. */
  when(at: Date): Html;
}

/** The last zone offset that was not whole minutes (Africa/Monrovia, −0:44:30) ended in 1972. */
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);

export function formats(zone: string): Formats {
  // One formatter per zone: building an Intl.DateTimeFormat costs more than formatting with it.
  const formatter = localMinuteFormat(zone);
  // Formatting is the costly part of a page of timestamps (a timeline page shows 200), and a page
  // shows many in the same minute: each minute is formatted once. Exact for instants whose zone
  // offset is whole minutes, as every offset in use since 1972 is; older instants are formatted each
  // time. Bounded: the memo starts over at 10,000 minutes.
  const minutes = new Map<number, string>();
  const local = (at: Date): string => {
    const time = at.getTime();
    if (!(time >= WHOLE_MINUTE_OFFSETS_SINCE)) return formatter.format(at).replace(',', '');
    const minute = Math.floor(time / 60_000);
    let text = minutes.get(minute);
    if (text === undefined) {
      if (minutes.size >= 10_000) minutes.clear();
      text = formatter.format(at).replace(',', '');
      minutes.set(minute, text);
    }
    return text;
  };
  return {
    zone,
    when: (at) => html`<time datetime="${at.toISOString()}">${local(at)}</time>`,
  };
}

/** `40 s`, `12 min`, `2 h 5 min`, `3 d 4 h`. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return hours % 24 === 0 ? `${Math.floor(hours / 24)} d` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A Slack user id as a person reads it (`@U0123`), names not being looked up here. */
export function who(actor: string | undefined): Html {
  if (!actor) return html`<span class="muted">—</span>`;
  return /^[UW][A-Z0-9]+$/.test(actor) ? html`<span class="user">@${actor}</span>` : html`${actor}`;
}

/** Severity and status as labelled badges: the text says it, the colour only repeats it. */
export function badge(kind: 'severity' | 'status', value: string): Html {
  return html`<span class="badge ${kind}-${value.toLowerCase()}">${value}</span>`;
}

/** The mark beside a drill's reference, wherever incidents are listed or shown (nothing for a real one). */
export function drillMark(number: number): Html {
  return isDrill(number) ? html` <span class="badge drill">DRILL</span>` : html``;
}

/** A link to a Slack channel, or to one message of it (Slack redirects to the workspace). */
export function slackLink(channel: string, ts?: string): string {
  return ts
    ? `https://slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`
    : `https://slack.com/app_redirect?channel=${encodeURIComponent(channel)}`;
}
