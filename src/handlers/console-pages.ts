import * as z from 'zod';
import { actions } from '../actions/registry.ts';
import type { Config } from '../config/index.ts';
import { SEVERITY_IDS, type SeverityId } from '../config/schema-kit.ts';
import type { AuditQuery, IncidentQuery, TimelineCursor, Viewer } from '../domain/console.ts';
import {
  INCIDENT_FLAGS,
  INCIDENT_STATUSES,
  type IncidentFlag,
  incidentRef,
  parseIncidentRef,
} from '../domain/incident.ts';
import type { Permission } from '../domain/permissions.ts';
import type { ConsoleViews } from '../services/console-views.ts';
import { type AuditForm, auditPage, OUTCOMES } from '../web/audit.ts';
import { formats } from '../web/format.ts';
import type { Html } from '../web/html.ts';
import { incidentPage } from '../web/incident.ts';
import { type IncidentFilterForm, incidentList } from '../web/incidents.ts';
import { page, type Section } from '../web/layout.ts';
import { maintenancePage } from '../web/maintenance.ts';
import { oncallPage } from '../web/oncall.ts';
import { overviewPage } from '../web/overview.ts';
import { postmortemPage } from '../web/postmortem.ts';

/** What a console page is asked with: the signed-in viewer, the path's `:name` parameters (URL-decoded) and the query. */
export interface ConsoleRequest {
  viewer: Viewer;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The viewer holds one of `console.auditLog`'s permissions (the navigation shows the audit log). */
  canReadAudit: boolean;
}

/** A whole page, or a refusal the console renders as its 403 / 404 page (title and message said to the viewer). */
export type ConsoleOutcome =
  | { status: 200; html: string }
  | { status: 403 | 404; title: string; message: string };

/**
 * One page of the console. The console handler matches `path`, checks that the viewer holds one
 * of `permissions` (a 403 page otherwise, naming the roles that grant them), then calls `handle`. Pages only read: the console
 * answers GET and HEAD alone.
 */
export interface ConsolePage {
  /** Below `/console`: `/` or `/incidents/:id` (`:name` matches one path segment). */
  path: string;
  /** Any one of these opens the page. */
  permissions: readonly Permission[];
  /** Where they are configured, for the 403 page. @defaultValue `permissions.<each>` */
  grantedBy?: string;
  handle(request: ConsoleRequest): Promise<ConsoleOutcome>;
}

export interface ConsolePagesOptions {
  config: Config;
  views: ConsoleViews;
}

/** A query value: absent or blank is "not given". */
function given(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)?.trim();
  return value ? value.slice(0, 200) : undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const incidentNumber = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * The list's filters from the query string. A filter that cannot be read is left out and said so
 * on the page (what was typed, and what to type), rather than refusing the whole page.
 */
function incidentQuery(query: URLSearchParams): {
  form: IncidentFilterForm;
  filters: Omit<IncidentQuery, 'limit'>;
  problems: string[];
} {
  const form: IncidentFilterForm = {};
  const filters: Omit<IncidentQuery, 'limit'> = {};
  const problems: string[] = [];
  const kind = given(query, 'kind');
  if (kind) {
    form.kind = kind;
    if (kind === 'drills') filters.drills = true;
    else problems.push(`Show "${kind}": use drills, or leave it out for incidents.`);
  }
  const status = given(query, 'status');
  if (status) {
    form.status = status;
    if (status === 'open' || (INCIDENT_STATUSES as readonly string[]).includes(status))
      filters.status = status as NonNullable<IncidentQuery['status']>;
    else problems.push(`Status "${status}": use open, ${INCIDENT_STATUSES.join(', ')}.`);
  }
  const severity = given(query, 'severity')?.toUpperCase();
  if (severity) {
    form.severity = severity;
    if ((SEVERITY_IDS as readonly string[]).includes(severity)) filters.severity = severity as SeverityId;
    else problems.push(`Severity "${severity}": use ${SEVERITY_IDS.join(', ')}.`);
  }
  const service = given(query, 'service');
  if (service) {
    form.service = service;
    filters.service = service;
  }
  for (const name of ['from', 'to'] as const) {
    const day = given(query, name);
    if (!day) continue;
    form[name] = day;
    const at = DAY.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
    if (at && !Number.isNaN(at.getTime())) {
      // "Opened until 2026-11-30" includes that day.
      filters[name] = name === 'to' ? new Date(at.getTime() + 86_400_000) : at;
    } else problems.push(`Date "${day}": use YYYY-MM-DD, e.g. 2026-11-30.`);
  }
  const text = given(query, 'q');
  if (text) {
    form.q = text;
    filters.text = text;
  }
  const before = incidentNumber.safeParse(given(query, 'before'));
  if (before.success) filters.before = before.data;
  return { form, filters, problems };
}

/** The same query with one parameter replaced, or removed without a value (the pager's links keep the filters). */
function withParam(path: string, query: URLSearchParams, name: string, value?: string): string {
  const next = new URLSearchParams(query);
  if (value === undefined) next.delete(name);
  else next.set(name, value);
  const rest = next.toString();
  return rest ? `${path}?${rest}` : path;
}

/** Cursors outside these years are not from a pager link: the first page. */
const CURSOR_YEARS = { from: Date.UTC(1970, 0, 1), to: Date.UTC(10_000, 0, 1) };

/**
 * A keyset cursor from a pager link, `<instant>~<id>`: the instant as PostgreSQL wrote it
 * (`2026-11-30T18:42:00.123456+00:00`; links made before microseconds were kept end in `.000Z`),
 * passed on normalised to UTC with its microseconds (a hand-edited `2026-02-30` becomes a real day
 * rather than a database error). Anything else is no cursor: the first page.
 */
function keysetCursor(value: string | undefined, id: RegExp): { at: string; id: string } | undefined {
  // PostgreSQL writes 0 to 6 digits of fraction (no trailing zeros): the seconds are read as an
  // instant, the fraction kept as written.
  const match = value
    ? /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::\d{2})?)~(.+)$/.exec(value)
    : null;
  const [, seconds, fraction = '', zone, rest] = match ?? [];
  const at = new Date(`${seconds}${zone}`);
  const time = at.getTime();
  if (!rest || !id.test(rest) || !(time >= CURSOR_YEARS.from && time < CURSOR_YEARS.to)) return undefined;
  return { at: `${at.toISOString().slice(0, 19)}.${fraction.padEnd(6, '0')}Z`, id: rest };
}

/** Where a timeline page starts: after event `<id>`. */
function timelineCursor(value: string | undefined): TimelineCursor | undefined {
  const cursor = keysetCursor(value, /^\d{1,15}$/);
  return cursor && { at: cursor.at, id: Number(cursor.id) };
}

/** Where an audit page starts: before run `<uuid>`. */
function auditCursor(value: string | undefined): AuditQuery['before'] {
  return keysetCursor(value, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
}

/**
 * The console's pages, in the order they are matched (the first match wins): read the query, ask
 * the read models, render. The shell (console.ts) signs people in, checks each page's permission
 * and sends the document.
 */
export function consolePages(options: ConsolePagesOptions): ConsolePage[] {
  const { config, views } = options;
  const format = formats(config.businessHours.timezone);
  const services = Object.keys(config.services);
  const actionNames = [...new Set(actions.map((action) => action.name))].sort();
  const document = (request: ConsoleRequest, title: string, section: Section, body: Html) => ({
    status: 200 as const,
    html: page({ title, section, viewer: request.viewer, canReadAudit: request.canReadAudit, body }),
  });
  const noIncident = (id: string) => ({
    status: 404 as const,
    title: 'No such incident',
    message: `There is no incident ${id}. Incidents are numbered INC-1, INC-2…, drills DRILL-1, DRILL-2…: the incident list finds them by text, severity or date.`,
  });
  // `42`, `INC-42`, `DRILL-3`, or the number the console's own links write (a drill's is 1000000003).
  const numberOf = (id: string) => parseIncidentRef(id) ?? incidentNumber.safeParse(id).data;
  const roleName = (id: string) => config.roles[id]?.name ?? id;

  return [
    {
      path: '/',
      permissions: ['read'],
      async handle(request) {
        const overview = await views.overview();
        return document(
          request,
          'Overview',
          'overview',
          overviewPage({ ...overview, now: overview.at, formats: format }),
        );
      },
    },
    {
      path: '/incidents',
      permissions: ['read'],
      async handle(request) {
        const { form, filters, problems } = incidentQuery(request.query);
        const list = await views.incidents(filters);
        return document(
          request,
          'Incidents',
          'incidents',
          incidentList({
            form,
            problems,
            rows: list.rows,
            services,
            ...(list.next
              ? { olderHref: withParam('/console/incidents', request.query, 'before', String(list.next)) }
              : {}),
            ...(filters.before === undefined
              ? {}
              : { newestHref: withParam('/console/incidents', request.query, 'before') }),
            now: views.now(),
            formats: format,
          }),
        );
      },
    },
    {
      path: '/incidents/:id',
      permissions: ['read'],
      async handle(request) {
        const id = request.params.id ?? '';
        const number = numberOf(id);
        if (number === undefined) return noIncident(id);
        const after = timelineCursor(given(request.query, 'after'));
        const detail = await views.incident(number, after);
        if (!detail) return noIncident(id);
        return document(
          request,
          `${incidentRef(number)} ${detail.incident.title}`,
          'incidents',
          incidentPage({
            ...detail,
            ...(after ? { after } : {}),
            now: views.now(),
            formats: format,
            roleName,
          }),
        );
      },
    },
    {
      path: '/incidents/:id/postmortem',
      permissions: ['read'],
      async handle(request) {
        const id = request.params.id ?? '';
        const number = numberOf(id);
        const draft = number === undefined ? undefined : await views.postmortem(number);
        if (number === undefined || draft === undefined) return noIncident(id);
        return document(
          request,
          `Post-mortem ${incidentRef(number)}`,
          'incidents',
          postmortemPage(number, draft),
        );
      },
    },
    {
      path: '/oncall',
      permissions: ['read'],
      async handle(request) {
        const severity = given(request.query, 'severity')?.toUpperCase() ?? 'P1';
        const flags = request.query
          .getAll('flag')
          .filter((flag): flag is IncidentFlag => (INCIDENT_FLAGS as readonly string[]).includes(flag));
        const board = await views.oncall({
          severity: (SEVERITY_IDS as readonly string[]).includes(severity) ? (severity as SeverityId) : 'P1',
          flags,
        });
        return document(request, 'On-call', 'oncall', oncallPage(board, format));
      },
    },
    {
      path: '/maintenance',
      permissions: ['read'],
      async handle(request) {
        return document(
          request,
          'Maintenance',
          'maintenance',
          maintenancePage(await views.maintenance(), format),
        );
      },
    },
    {
      path: '/audit',
      permissions: config.console.auditLog,
      grantedBy: 'console.auditLog',
      async handle(request) {
        const form: AuditForm = {};
        for (const name of ['user', 'action', 'service', 'outcome'] as const) {
          const value = given(request.query, name);
          if (value) form[name] = value;
        }
        const outcome =
          form.outcome && (OUTCOMES as readonly string[]).includes(form.outcome) ? form.outcome : undefined;
        const before = auditCursor(given(request.query, 'before'));
        const list = await views.audit({
          ...(form.user ? { user: form.user } : {}),
          ...(form.action ? { action: form.action } : {}),
          ...(form.service ? { service: form.service } : {}),
          ...(outcome ? { outcome } : {}),
          ...(before ? { before } : {}),
        });
        const olderHref = list.next
          ? withParam('/console/audit', request.query, 'before', `${list.next.at}~${list.next.id}`)
          : undefined;
        return document(
          request,
          'Audit log',
          'audit',
          auditPage({
            form,
            rows: list.rows,
            actions: actionNames,
            ...(olderHref ? { olderHref } : {}),
            deep: before !== undefined,
            formats: format,
          }),
        );
      },
    },
  ];
}
