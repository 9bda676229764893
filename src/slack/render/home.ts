import type { Config } from '../../config/index.ts';
import type { HomeView } from '../../domain/console.ts';
import { incidentRef, isDrill } from '../../domain/incident.ts';
import { redactSecrets } from '../../logging/redact.ts';
import { actions, button, context, type KnownBlock, section } from './blocks.ts';
import { renderDrillReport } from './drill.ts';
import { clipMrkdwn, clipPlain } from './limits.ts';
import { bold, escapeMrkdwn, slackDate } from './mrkdwn.ts';
import { SUGGESTION_ACTION } from './result.ts';

/** The tab's link to the web console (Slack reports the click; the handler only acknowledges it). */
export const HOME_CONSOLE_ACTION = 'home.console';

/** An incident's title on the tab: ten of them fit one section (Slack's limit is 3,000 characters). */
const TITLE_CHARS = 100;
const SECTION_CHARS = 3_000;

const SEVERITY_MARK: Record<string, string> = { P0: '🔴', P1: '🟠', P2: '🟡', P3: '🔵' };

/** `<!date^…^{ago}|…>`: Slack writes "5 minutes ago" in the reader's terms, and keeps it current. */
function ago(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{ago}|${at.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

/**
 * The Home tab of one person: what is open now and when it escalates, whether they are on call,
 * what they ran lately, how the last drill went, and buttons for the commands people reach for
 * first. Times are Slack date tokens, so the tab stays right between publishes (it is published on
 * change, not on a poll).
 */
export function renderHome(
  view: HomeView,
  options: { config: Config; consoleUrl?: string },
): {
  type: 'home';
  blocks: KnownBlock[];
} {
  const shifts =
    view.shifts.length > 0
      ? view.shifts.map((shift) =>
          shift.now
            ? `🟢 You are on call now: ${bold(escapeMrkdwn(shift.roleName))} (${escapeMrkdwn(shift.rotation)}) until ${slackDate(shift.until)}.`
            : `⏭️ You are on call next: ${bold(escapeMrkdwn(shift.roleName))} (${escapeMrkdwn(shift.rotation)}) from ${slackDate(shift.from)} until ${slackDate(shift.until)}.`,
        )
      : ['You are not on call now or next in any rotation.'];
  const roles =
    view.roles.length > 0 ? `Roles you hold now: ${view.roles.map(escapeMrkdwn).join(', ')}.` : undefined;
  const incidents =
    view.open.length > 0
      ? view.open.map((row) => {
          const escalates =
            row.status === 'triggered' && row.escalationDueAt
              ? ` · escalates ${slackDate(row.escalationDueAt, '{time}')}`
              : '';
          const drill = isDrill(row.number) ? '🧪 DRILL · ' : '';
          return `${SEVERITY_MARK[row.severity] ?? ''} ${bold(incidentRef(row.number))} ${drill}${row.severity} · ${row.status} · ${escapeMrkdwn(clipPlain(row.title, TITLE_CHARS))} · opened ${ago(row.openedAt)}${escalates}`;
        })
      : ['No open incidents. 🎉'];
  const runs =
    view.recentRuns.length > 0
      ? view.recentRuns.map(
          (run) =>
            `\`${escapeMrkdwn(run.action)}${run.target ? ` ${escapeMrkdwn(run.target)}` : ''}\` → ${run.status} · ${ago(run.requestedAt)}`,
        )
      : ['Nothing yet: `/fleet help` lists what you can run.'];
  // The report's first part (what ran, how it ended) as it was posted in the drill's thread.
  const lastDrill: KnownBlock[] = view.lastDrill
    ? [
        { type: 'divider' },
        context(
          `🧪 Last drill, ended ${slackDate(view.lastDrill.endedAt)}: the whole report is in its thread.`,
        ),
        ...renderDrillReport(view.lastDrill, options.config).blocks.slice(0, 1),
      ]
    : [];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'fleetbot', emoji: true } },
    section(shifts.join('\n')),
    ...(roles ? [context(roles)] : []),
    actions(
      button(
        'Open incident',
        { actionId: `${SUGGESTION_ACTION}.home-open`, value: 'incident open' },
        'danger',
      ),
      button('Health', { actionId: `${SUGGESTION_ACTION}.home-health`, value: 'health' }),
      button('Who is on call', { actionId: `${SUGGESTION_ACTION}.home-oncall`, value: 'oncall' }),
      ...(options.consoleUrl
        ? [
            {
              ...button('Web console', { actionId: HOME_CONSOLE_ACTION, value: 'console' }),
              url: options.consoleUrl,
            },
          ]
        : []),
    ),
    { type: 'divider' },
    section(
      clipMrkdwn(`${bold(`Open incidents (${view.open.length})`)}\n${incidents.join('\n')}`, SECTION_CHARS),
    ),
    ...lastDrill,
    { type: 'divider' },
    section(`${bold('Your recent actions')}\n${runs.join('\n')}`),
    context(`Updated ${slackDate(view.at)}`),
  ];
  // Titles and summaries come from alerts: scrubbed as everything fleetbot shows.
  return { type: 'home', blocks: redactSecrets(blocks) as KnownBlock[] };
}
