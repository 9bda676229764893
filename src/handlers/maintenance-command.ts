import { type Config, parseDuration } from '../config/index.ts';
import { localDateTime } from '../config/zoned-time.ts';
import type { Clock } from '../domain/clock.ts';
import type { Maintenance, MaintenanceOutcome } from '../services/maintenance.ts';
import { type SlackMessage, section } from '../slack/render/blocks.ts';
import { escapeMrkdwn, inlineCode, slackDate } from '../slack/render/mrkdwn.ts';
import { renderError } from '../slack/render/notices.ts';

export interface MaintenanceCommandDeps {
  config: Config;
  maintenance: Maintenance;
  clock: Clock;
}

const USAGE = [
  'start 2h <reason> — emergency maintenance from now',
  'schedule 2026-12-06 02:00 4h <reason> — emergency maintenance later (local time in maintenance.timezone)',
  'list — the windows to come and the next recurring one',
  'end [id] — end the window in force now (or cancel one not started or not approved)',
  'approve <id> / reject <id> — decide on emergency maintenance (maintenance.approvers)',
];

/** `/fleet maintenance …` → the answer only the requester sees. */
export async function handleMaintenanceCommand(
  deps: MaintenanceCommandDeps,
  words: readonly string[],
  userId: string,
): Promise<SlackMessage> {
  const [verb = 'list', ...rest] = words;
  const { maintenance, clock, config } = deps;
  switch (verb) {
    case 'list': {
      const { windows, recurring } = await maintenance.list();
      const lines = windows.map(
        (window) =>
          `#${window.id} ${slackDate(window.startsAt)}–${slackDate(window.endsAt)}: ${escapeMrkdwn(window.reason)}${
            window.approvedBy ? '' : ' · waiting for approval'
          }`,
      );
      lines.push(`Recurring (fleetbot.yml): next ${slackDate(recurring.start)}–${slackDate(recurring.end)}`);
      return plain(lines.join('\n'));
    }
    case 'start': {
      const duration = durationOf(rest[0]);
      if (duration === undefined) return fail(`For how long? A duration like 2h, got "${rest[0] ?? ''}".`);
      return answer(
        await maintenance.schedule(userId, {
          startsAt: clock.now(),
          durationMs: duration,
          reason: reasonOf(rest.slice(1)),
        }),
      );
    }
    case 'schedule': {
      const startsAt = localDateTime(`${rest[0] ?? ''} ${rest[1] ?? ''}`, config.maintenance.timezone);
      const duration = durationOf(rest[2]);
      if (!startsAt || duration === undefined) {
        return fail('When and for how long? e.g. `schedule 2026-12-06 02:00 4h <reason>`.');
      }
      return answer(
        await maintenance.schedule(userId, {
          startsAt,
          durationMs: duration,
          reason: reasonOf(rest.slice(3)),
        }),
      );
    }
    case 'end':
    case 'cancel': {
      const id = rest[0] ? windowNumber(rest[0]) : undefined;
      if (id === null)
        return fail(`Which window? A number from \`/fleet maintenance list\`, got "${rest[0]}".`);
      return answer(await maintenance.end(userId, id));
    }
    case 'approve':
    case 'reject': {
      const id = windowNumber(rest[0] ?? '');
      if (id === null)
        return fail(`Which window? A number from \`/fleet maintenance list\`, got "${rest[0] ?? ''}".`);
      return answer(await maintenance.decide(userId, id, verb));
    }
    default:
      return fail(`Unknown \`/fleet maintenance ${verb}\`.`);
  }
}

/** `3` or `#3`; null when it is not a window number. */
function windowNumber(text: string): number | null {
  const id = Number(text.replace(/^#/, ''));
  return Number.isInteger(id) && id > 0 ? id : null;
}

function durationOf(text: string | undefined): number | undefined {
  try {
    return parseDuration(text ?? '');
  } catch {
    return undefined;
  }
}

function reasonOf(words: readonly string[]): string {
  return words.join(' ').slice(0, 300) || 'maintenance';
}

function answer(outcome: MaintenanceOutcome): SlackMessage {
  return outcome.ok ? plain(`✅ ${outcome.message}`) : fail(outcome.message);
}

function plain(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

function fail(message: string): SlackMessage {
  return renderError({
    message,
    hint: `Usage: ${USAGE.map((line) => inlineCode(`/fleet maintenance ${line.split(' — ')[0]}`)).join(' · ')}`,
  });
}
