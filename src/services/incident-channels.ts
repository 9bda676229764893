import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { type Incident, incidentRef } from '../domain/incident.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import type { Notifier } from '../domain/notifier.ts';
import { SlackCallError, type SlackChannels } from '../domain/slack-api.ts';
import { phaseTargets } from '../escalation/phases.ts';
import type { Logger } from '../logging/logger.ts';
import { renderIncidentSummary } from '../slack/render/incident.ts';
import { userIdOf } from '../slack/render/mrkdwn.ts';
import {
  channelSummaryKey,
  INCIDENT_UPDATE_INTERVAL_MS,
  IncidentEffects,
  type IncidentPublisher,
} from './incident-publisher.ts';

export interface IncidentChannelsOptions {
  config: Config;
  store: IncidentStore;
  slack: SlackChannels;
  notifier: Notifier;
  publisher: IncidentPublisher;
  /** Members of a Slack user group (roles given as groups). */
  groupMembers: (groupId: string) => Promise<readonly string[]>;
  clock: Clock;
  logger: Logger;
}

/** Slack channel names: lowercase letters, digits, `-` and `_`, at most 80 characters. */
const NAME_MAX = 80;

/**
 * An incident's own channel (`#inc-42-fleet-api-5xx`): created once, its responders invited (the
 * severity's paged roles, the commander, whoever acknowledged), the summary posted and pinned, and
 * the channel linked from the alert message. A retried job finds the channel already recorded.
 */
export class IncidentChannels {
  private readonly options: IncidentChannelsOptions;

  constructor(options: IncidentChannelsOptions) {
    this.options = options;
  }

  async open(number: number): Promise<void> {
    const { store, slack, notifier, publisher, clock, config } = this.options;
    const incident = await store.get(number);
    if (!incident || incident.status === 'resolved') return;
    const channel = incident.channel ?? (await this.create(incident));
    const invited = await slack.invite(channel, await this.responders(incident));
    await notifier.send({
      kind: 'post',
      key: channelSummaryKey(number),
      channel,
      content: renderIncidentSummary({
        incident: { ...incident, channel },
        targets: phaseTargets(incident, this.options.config.escalation.phases),
      }),
      pin: true,
      minUpdateIntervalMs: INCIDENT_UPDATE_INTERVAL_MS,
    });
    if (incident.channel) return;
    const effects = new IncidentEffects();
    await store.transaction(async (tx) => {
      await tx.update(number, { channel });
      await tx.addTimeline(number, {
        at: clock.now(),
        kind: 'channel',
        actor: 'fleetbot',
        text: `Channel created, ${invited.length} responder${invited.length === 1 ? '' : 's'} invited`,
        details: { channel },
      });
      effects.changed.add(number);
    });
    await publisher.publish(effects);
    this.options.logger.info(
      { incident: number, channel, invited: invited.length, prefix: config.channels.incidentPrefix },
      'incident channel created',
    );
  }

  private async create(incident: Incident): Promise<string> {
    const base = channelName(this.options.config.channels.incidentPrefix, incident);
    // A name in use (an earlier attempt that created it and then failed, or a person's channel) gets a suffix.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const name = attempt === 1 ? base : `${base.slice(0, NAME_MAX - 2)}-${attempt}`;
      try {
        return (await this.options.slack.createChannel(name)).id;
      } catch (error) {
        if (!(error instanceof SlackCallError && error.reason === 'name_taken')) throw error;
      }
    }
    throw new SlackCallError(`Every channel name like #${base} is taken.`, {
      reason: 'name_taken',
      retryable: false,
      hint: 'Archive or rename the old channels, or change channels.incidentPrefix.',
    });
  }

  private async responders(incident: Incident): Promise<string[]> {
    const { config, groupMembers } = this.options;
    const roles = config.severities[incident.severity].page;
    const users = new Set<string>();
    for (const id of roles) {
      const role = config.roles[id];
      for (const user of role?.slack.users ?? []) users.add(user);
      for (const group of role?.slack.groups ?? []) {
        for (const user of await groupMembers(group).catch(() => [])) users.add(user);
      }
    }
    for (const who of [incident.commander, incident.acknowledgedBy, incident.openedBy]) {
      // Slack users only: the CLI (`cli:dana`) and alert sources are not invited.
      const user = userIdOf(who);
      if (user) users.add(user);
    }
    return [...users];
  }
}

/**
 * `inc-42-fleet-api-http-5xx-rate-above-5`: prefix, number, then the title as a slug; a drill's
 * says so (`inc-drill-3-practice-p1-on-fleet-api`).
 */
export function channelName(prefix: string, incident: Pick<Incident, 'number' | 'title'>): string {
  const slug = incident.title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const number = incidentRef(incident.number).toLowerCase().replace(/^inc-/, '');
  return `${prefix}${number}-${slug}`.slice(0, NAME_MAX).replace(/-+$/, '');
}
