import type { z } from 'zod';
import type { Config } from '../config/index.ts';
import type { BackupStore, DatabaseDumps } from '../domain/backups.ts';
import type { Clock } from '../domain/clock.ts';
import type { Cluster } from '../domain/cluster.ts';
import type { FleetDatabase, FleetRedis } from '../domain/fleet-database.ts';
import type { Classification } from '../domain/permissions.ts';
import type { MetricsSource } from '../domain/telemetry.ts';
import type { HealthCheck } from '../health/health-check.ts';
import type { Logger } from '../logging/logger.ts';

export type { Classification, Permission } from '../domain/permissions.ts';

/** The backup store and the database tools, for `db backup`, `db restore` and a database restart. */
export interface BackupTools {
  store: BackupStore;
  database: DatabaseDumps;
}

export type ResultStatus = 'ok' | 'warning' | 'failed';

export interface Field {
  label: string;
  value: string;
  status?: ResultStatus | 'not_configured';
  /** Right-aligned note such as a duration. */
  note?: string;
}

/** A block of a result. Renderers (CLI text, Slack Block Kit) draw each kind their own way. */
export interface Section {
  title?: string;
  fields?: Field[];
  table?: { headers: string[]; rows: string[][] };
  text?: string;
}

/**
 * What an action returns. It knows nothing of Slack or terminals: `src/slack`
 * renders it as Block Kit, the CLI as text or JSON.
 */
export interface ActionResult {
  status: ResultStatus;
  /** One line: what happened and how bad it is. */
  summary: string;
  sections: Section[];
  /** Long output (logs): a file snippet in Slack, printed whole on a terminal. */
  attachment?: { filename: string; content: string; lines: number; note?: string };
  /**
   * A chart (metrics): uploaded as a file in the thread in Slack, written to a file by the CLI. The
   * PNG travels as base64 so a result stays plain JSON wherever it is recorded.
   */
  image?: ResultImage;
  /** Machine-readable details with stable keys, for `--json`. */
  data?: Record<string, unknown>;
  /**
   * Actions this one asks to run next, each as a run of its own (its own workload lock, audit row
   * and report): `secret set --restart` restarts the services that read the Secret this way.
   */
  followUps?: FollowUp[];
  /**
   * Something people must now look into (a deploy that failed and was rolled back): an incident is
   * opened for it, with the evidence on its timeline.
   */
  incident?: { severity: 'P0' | 'P1' | 'P2' | 'P3'; title: string; service?: string; evidence: string };
  /**
   * Runbook commands worth running next (diagnose's fixes): buttons under the result in Slack, each
   * running its command as if typed (permission, confirmation, audit); `Next: fleetbot run …` lines in
   * a terminal. Nothing runs until someone asks.
   */
  suggestions?: SuggestedCommand[];
}

export interface ResultImage {
  /** `metrics-api-20250612-1400.png` */
  filename: string;
  /** What the image shows, in one line: its title in Slack and its alt text. */
  title: string;
  mediaType: 'image/png';
  base64: string;
  width: number;
  height: number;
}

/** A runbook command offered as a next step: its label and the words after `/fleet` (`scale api 3`). */
export interface SuggestedCommand {
  label: string;
  command: string;
}

export interface FollowUp {
  action: string;
  params: Record<string, unknown>;
}

/** What the confirmation of a destructive action shows: the exact effect and the current state. */
export interface Preview {
  /** "Restart Deployment fleet-api in fleet-management?" */
  question: string;
  /** Current state and effect, one line each. */
  details: string[];
  /** Cautions the runbook gives (e.g. no database restart without a backup). */
  warnings: string[];
  /** Label of the confirm button / CLI prompt verb: "Restart". */
  verb: string;
  /**
   * Parameters the preview fixes for the run, so that Confirm runs exactly what was shown (the
   * rollback's revisions): merged into the parameters the confirmed run gets.
   */
  pin?: Record<string, unknown>;
}

export interface Progress {
  message: string;
  /** 0..1 when known. */
  fraction?: number;
}

export interface ActionContext {
  readonly config: Config;
  readonly cluster: Cluster;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The runbook's health checks, built from config by the composition root. */
  readonly healthChecks: () => readonly HealthCheck[];
  /** The Fleet Management System's database (`FLEET_DATABASE_URL`): `db connections`, `db kill-idle`, `reset-demo`. */
  readonly fleetDatabase: FleetDatabase;
  /** The Fleet Management System's Redis (`FLEET_REDIS_URL`): `reset-demo` clears its cache keys. */
  readonly fleetRedis: FleetRedis;
  /** Where backups go and the tools that take and restore them; absent without `FLEET_DATABASE_URL`. */
  readonly backups?: BackupTools;
  /** Application Insights (`APPINSIGHTS_RESOURCE_ID`) for `metrics`; absent when unset. */
  readonly metrics?: MetricsSource;
  progress(update: Progress): void;
}

/** Positional arguments and flags as typed after the verb (`logs api --tail 100`). */
export interface Syntax {
  /** In order; `?` suffix marks an optional one; `...` marks a trailing list. */
  positionals: readonly string[];
  flags?: Readonly<Record<string, 'string' | 'number' | 'boolean'>>;
  /** Parameter names whose values are secret: never logged, stored or echoed. */
  secret?: readonly string[];
}

/** The groups `help` lists commands under, in this order. */
export const HELP_GROUPS = [
  'Health & status',
  'Logs',
  'Changes',
  'Database',
  'Incidents',
  'On-call',
  'Maintenance',
] as const;
export type HelpGroup = (typeof HELP_GROUPS)[number];

export interface ActionDefinition<P = unknown> {
  readonly name: string;
  readonly group: HelpGroup;
  /** One line for `help` and `--list`. */
  readonly summary: string;
  /** Usage after the verb, e.g. `<service> [--tail N] [--grep TEXT]`. */
  readonly usage: string;
  readonly example: string;
  readonly syntax: Syntax;
  /** Validates what parsing produced (service names are resolved by `classify`/`run` against config). */
  readonly params: z.ZodType<P>;
  /** Reads are retried with backoff on transient cluster errors; mutations never are. */
  readonly retryable: boolean;
  readonly timeoutMs: number;
  /**
   * Items the person confirming ticks first, each one (the runbook's pre-deployment checklist):
   * shown as checkboxes in the confirmation; Confirm does not count until all are ticked.
   */
  readonly checklist?: readonly string[];
  /** A `warning` result counts as failed for exit codes (health: degraded is not healthy). */
  readonly warningIsFailure?: boolean;
  /** Throws FleetbotError for parameters the config rules out (unknown service, replicas over the limit). */
  classify(params: P, config: Config): Classification;
  /** The parameters as the audit log may keep them; `syntax.secret` fields are masked regardless. */
  redact?(params: P): unknown;
  /**
   * Whether the parameters carry a value to keep out of stores (an `env set` value): its job is
   * dropped from the queue store as soon as it finishes. Always so for `syntax.secret` fields.
   */
  sensitive?(params: P): boolean;
  /**
   * Whether the result goes to the requester only (a direct message) instead of the channel: output
   * that may hold configuration or log lines, asked for with `--private`, or shown in full.
   */
  privateResult?(params: P): boolean;
  /** For destructive actions: what the confirmation shows, read fresh from the cluster. */
  preview?(context: ActionContext, params: P, signal: AbortSignal): Promise<Preview>;
  run(context: ActionContext, params: P, signal: AbortSignal): Promise<ActionResult>;
}

/** Keeps `P` tied between `params` and the functions that use it. */
export function defineAction<P>(definition: ActionDefinition<P>): ActionDefinition<P> {
  return definition;
}
