import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { AppHomeViewers } from '../domain/console.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { SlackHome } from '../domain/slack-api.ts';
import { renderHome } from '../slack/render/home.ts';
import type { Authorizer } from './authorizer.ts';
import type { ConsoleViews } from './console-views.ts';

export interface AppHomeOptions {
  config: Config;
  views: ConsoleViews;
  viewers: AppHomeViewers;
  slack: SlackHome;
  authorizer: Authorizer;
  jobs: Jobs;
  clock: Clock;
  /** The web console's address, for a button on the tab. */
  consoleUrl?: string;
}

/** Changes within this window become one publish per person. */
export const HOME_DEBOUNCE_MS = 3_000;
/**
 * Incident changes refresh every tab at most this often: an alert storm changes incidents many times
 * a second, and views.publish (Slack's Tier 4, about 100 a minute) is called once per viewer.
 */
export const HOME_REFRESH_MS = 15_000;
/** A tab opened within this long is kept current; older ones are published again when next opened. */
const FOLLOW_MS = 14 * 86_400_000;
/** Most tabs kept current (the most recently opened). */
const MOST_VIEWERS = 1_000;

/**
 * fleetbot's Home tab in Slack: published when someone opens it, and again for everyone who opened
 * it lately when incidents change — debounced, never on a poll. Built from the console's read models.
 */
export class AppHome {
  private readonly options: AppHomeOptions;
  /** The debounce window a refresh was last queued for by this process (saves repeat enqueues). */
  private refreshQueuedFor = -1;

  constructor(options: AppHomeOptions) {
    this.options = options;
  }

  /** `app_home_opened`: remember the person, publish their tab behind the request. */
  async opened(userId: string): Promise<void> {
    const now = this.options.clock.now();
    await this.options.viewers.opened(userId, now);
    await this.options.jobs.enqueue(
      'home.publish',
      { userId },
      // Keyed by the window: Slack's retries of the event publish once.
      { jobId: jobId('home-opened', userId, Math.floor(now.getTime() / HOME_DEBOUNCE_MS)) },
    );
  }

  /** Someone's run finished: their tab lists it, published once at the end of this debounce window. */
  async ranAction(userId: string): Promise<void> {
    const { window, delayMs } = this.nextWindow(HOME_DEBOUNCE_MS);
    await this.options.jobs.enqueue(
      'home.publish',
      { userId },
      { jobId: jobId('home', userId, window), delayMs },
    );
  }

  /** Incidents or who is on call changed: one refresh of every tab per HOME_REFRESH_MS, at its end. */
  async changed(): Promise<void> {
    const { window, delayMs } = this.nextWindow(HOME_REFRESH_MS);
    if (window === this.refreshQueuedFor) return;
    this.refreshQueuedFor = window;
    await this.options.jobs.enqueue('home.refresh', {}, { jobId: jobId('home-refresh', window), delayMs });
  }

  /** Publishes the tab of everyone who opened it lately. */
  async refresh(): Promise<number> {
    const { viewers, jobs, clock } = this.options;
    const now = clock.now();
    const users = await viewers.recent(new Date(now.getTime() - FOLLOW_MS), MOST_VIEWERS);
    const window = Math.floor(now.getTime() / HOME_DEBOUNCE_MS);
    await jobs.enqueueAll(
      users.map((userId) => ({
        name: 'home.publish' as const,
        data: { userId },
        options: { jobId: jobId('home-refresh', userId, window) },
      })),
    );
    return users.length;
  }

  /**
   * The end of the current debounce window, where a change's publish is keyed and delayed to: every
   * change of a window collapses into one job that runs after all of them, and a change after that
   * job ran belongs to the next window (a job keyed by the window it started in could run before
   * a later change of the same window, and the change would never be shown).
   */
  private nextWindow(windowMs: number): { window: number; delayMs: number } {
    const now = this.options.clock.now().getTime();
    const window = Math.floor(now / windowMs) + 1;
    return { window, delayMs: window * windowMs - now };
  }

  /** One person's tab, as things stand now; someone without `read` sees only what they may do. */
  async publish(userId: string): Promise<void> {
    const { config, views, slack, authorizer, consoleUrl } = this.options;
    const allowed = (await authorizer.check(userId, 'read')).allowed;
    const view = allowed
      ? await views.home(userId)
      : { at: this.options.clock.now(), userId, open: [], shifts: [], roles: [], recentRuns: [] };
    await slack.publishHome(userId, renderHome(view, { config, ...(consoleUrl ? { consoleUrl } : {}) }));
  }
}
