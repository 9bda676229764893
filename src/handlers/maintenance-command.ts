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
  'start 2h <reason> — a window from now',
  'schedule 2026-12-06 02:00 4h <reason> — a window later (local time in maintenance.timezone)',
  'list — the windows to come and the next recurring one',
  'end [id] — end the window in force now (or cancel one not started)',
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
          `#${window.id} ${slackDate(window.startsAt)}–${slackDate(window.endsAt)}: ${escapeMrkdwn(window.reason)}`,
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
      const id = rest[0] ? Number(rest[0].replace(/^#/, '')) : undefined;
      if (id !== undefined && !Number.isInteger(id))
        return fail(`Which window? A number from \`/fleet maintenance list\`, got "${rest[0]}".`);
      return answer(await maintenance.end(userId, id));
    }
    default:
      return fail(`Unknown \`/fleet maintenance ${verb}\`.`);
  }
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
