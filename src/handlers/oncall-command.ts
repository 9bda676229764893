import { type Config, parseDuration } from '../config/index.ts';
import { SEVERITY_IDS, type SeverityId } from '../config/schema-kit.ts';
import { localDateTime } from '../config/zoned-time.ts';
import type { Clock } from '../domain/clock.ts';
import { INCIDENT_FLAGS, type IncidentFlag } from '../domain/incident.ts';
import { previewText } from '../escalation/preview-text.ts';
import type { OnCall, RolePeople } from '../services/oncall.ts';
import { context, type SlackMessage, section } from '../slack/render/blocks.ts';
import { bold, escapeMrkdwn, inlineCode, mention, slackDate, userIdOf } from '../slack/render/mrkdwn.ts';
import { renderError } from '../slack/render/notices.ts';

export interface OnCallCommandDeps {
  config: Config;
  oncall: OnCall;
  clock: Clock;
}

const USAGE: readonly (readonly [string, string])[] = [
  ['', 'who is on call now, and next, per rotation; overrides in force'],
  ['matrix', 'who each role of the escalation matrix pages now'],
  ['override @user 4h [role] [reason]', 'someone covers a role (default: the rotation’s) for a while'],
  ['override @user until 2026-12-01 09:00 [role]', '… until a local time (businessHours.timezone)'],
  ['preview P1 [--flags customer-data]', 'who would be paged when if nobody acknowledges'],
];

/** `/fleet oncall …` → the answer only the requester sees. */
export async function handleOnCallCommand(
  deps: OnCallCommandDeps,
  words: readonly string[],
  userId: string,
): Promise<SlackMessage> {
  const [verb = '', ...rest] = words;
  const now = deps.clock.now();
  switch (verb) {
    case '':
    case 'now':
      return status(deps, now);
    case 'matrix': {
      const matrix = await deps.oncall.matrix(now);
      return plain(
        [
          bold('Escalation matrix now'),
          ...matrix.map(({ name, people }) => `${escapeMrkdwn(name)}: ${who(people)}`),
        ].join('\n'),
      );
    }
    case 'override':
      return override(deps, rest, userId, now);
    case 'preview': {
      const severity = rest[0]?.toUpperCase();
      if (!(SEVERITY_IDS as readonly string[]).includes(severity ?? '')) {
        return fail(
          `Which severity? One of ${SEVERITY_IDS.join(', ')}.`,
          'Usage: /fleet oncall preview P1 [--flags customer-data]',
        );
      }
      const at = rest.indexOf('--flags');
      const flags = (at >= 0 ? (rest[at + 1] ?? '') : '').split(',').filter(Boolean);
      const unknown = flags.filter((flag) => !(INCIDENT_FLAGS as readonly string[]).includes(flag));
      if (unknown.length > 0)
        return fail(`Unknown flag ${unknown.join(', ')}.`, `Flags: ${INCIDENT_FLAGS.join(', ')}.`);
      const text = previewText(
        deps.config,
        severity as SeverityId,
        now,
        (flags as IncidentFlag[]).map((flag) => ({ flag, at: now })),
      );
      return plain(`\`\`\`${text.replaceAll('`', 'ˋ')}\`\`\``);
    }
    case 'help':
      return plain(
        USAGE.map(
          ([usage, what]) => `${inlineCode(`/fleet oncall ${usage}`.trim())} — ${escapeMrkdwn(what)}`,
        ).join('\n'),
      );
    default:
      return fail(`Unknown \`/fleet oncall ${verb}\`.`, 'Type `/fleet oncall help` for the list.');
  }
}

async function status(deps: OnCallCommandDeps, now: Date): Promise<SlackMessage> {
  const { rotations, overrides } = await deps.oncall.status(now);
  const lines = rotations.map(
    (turn) =>
      `${bold(escapeMrkdwn(turn.rotation))} (${escapeMrkdwn(deps.config.roles[turn.role]?.name ?? turn.role)}): ${mention(turn.member)} until ${slackDate(turn.until)}, then ${mention(turn.next)}`,
  );
  for (const cover of overrides) {
    lines.push(
      `${mention(cover.user)} covers ${escapeMrkdwn(deps.config.roles[cover.role]?.name ?? cover.role)} until ${slackDate(cover.endsAt)} (set by ${mention(cover.createdBy)})`,
    );
  }
  if (lines.length === 0) {
    lines.push(
      'No rotation is configured and no override is in force: each role pages its people from fleetbot.yml.',
    );
  }
  return {
    text: 'Who is on call',
    blocks: [
      section(lines.join('\n')),
      context('`/fleet oncall matrix` · `/fleet oncall override @user 4h`'),
    ],
  };
}

async function override(deps: OnCallCommandDeps, words: readonly string[], userId: string, now: Date) {
  const usage = 'Usage: /fleet oncall override @user 4h [role] [reason], or … until 2026-12-01 09:00 [role]';
  const [person, ...rest] = words;
  const user = userIdOf(person);
  if (!user) return fail('Who covers? Mention them (picked from Slack’s list) or give their user id.', usage);
  let until: Date | undefined;
  let after: string[];
  if (rest[0] === 'until') {
    until = localDateTime(`${rest[1] ?? ''} ${rest[2] ?? ''}`, deps.config.businessHours.timezone);
    if (!until) return fail('Until when? A local date and time like 2026-12-01 09:00.', usage);
    after = rest.slice(3);
  } else {
    try {
      until = new Date(now.getTime() + parseDuration(rest[0] ?? ''));
    } catch {
      return fail(`For how long? A duration like 4h or 30m, got "${rest[0] ?? ''}".`, usage);
    }
    after = rest.slice(1);
  }
  const role = after[0] && deps.config.roles[after[0]] ? after[0] : undefined;
  const reason = (role ? after.slice(1) : after).join(' ').slice(0, 300) || undefined;
  const outcome = await deps.oncall.override(userId, {
    user,
    until,
    ...(role ? { role } : {}),
    ...(reason ? { reason } : {}),
  });
  return outcome.ok ? plain(`✅ ${outcome.message}`) : fail(outcome.message, usage);
}

function who(people: RolePeople): string {
  const names = [...people.users.map(mention), ...people.groups.map((group) => `<!subteam^${group}>`)];
  const via = people.via === 'override' ? ' (override)' : people.via === 'rotation' ? ' (rotation)' : '';
  return names.length > 0
    ? `${names.join(' ')}${via}`
    : '_nobody: set its slack users or groups in fleetbot.yml_';
}

function plain(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

function fail(message: string, hint: string): SlackMessage {
  return renderError({ message, hint });
}
