import { SEVERITY_IDS } from '../config/schema-kit.ts';
import type { IncidentRow } from '../domain/console.ts';
import { INCIDENT_STATUSES, incidentRef } from '../domain/incident.ts';
import { badge, drillMark, duration, type Formats } from './format.ts';
import { type Html, html } from './html.ts';

/** The list's filters as typed (the form shows them back). */
export interface IncidentFilterForm {
  /** `drills` lists drills instead of real incidents. */
  kind?: string;
  status?: string;
  severity?: string;
  service?: string;
  from?: string;
  to?: string;
  q?: string;
}

export interface IncidentListInput {
  form: IncidentFilterForm;
  /** Filters that could not be read, each saying what to type instead. */
  problems: string[];
  rows: IncidentRow[];
  services: readonly string[];
  /** Link to the next (older) page, when there is one. */
  olderHref?: string;
  /** On a later page: the first page of the same filters. */
  newestHref?: string;
  now: Date;
  formats: Formats;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
}

export function incidentFilters(form: IncidentFilterForm, services: readonly string[]): Html {
  return html`<form class="filters" method="get" action="/console/incidents" role="search" aria-label="Filter incidents">
<div><label for="f-kind">Show</label><select id="f-kind" name="kind">${option('', 'incidents', form.kind)}${option('drills', 'drills', form.kind)}</select></div>
<div><label for="f-q">Text</label><input id="f-q" name="q" type="search" value="${form.q ?? ''}" placeholder="title or summary"></div>
<div><label for="f-status">Status</label><select id="f-status" name="status">${option('', 'any', form.status)}${option('open', 'open (not resolved)', form.status)}${INCIDENT_STATUSES.map((status) => option(status, status, form.status))}</select></div>
<div><label for="f-severity">Severity</label><select id="f-severity" name="severity">${option('', 'any', form.severity)}${SEVERITY_IDS.map((severity) => option(severity, severity, form.severity))}</select></div>
<div><label for="f-service">Service</label><select id="f-service" name="service">${option('', 'any', form.service)}${services.map((service) => option(service, service, form.service))}</select></div>
<div><label for="f-from">Opened from</label><input id="f-from" name="from" type="date" value="${form.from ?? ''}"></div>
<div><label for="f-to">Opened until</label><input id="f-to" name="to" type="date" value="${form.to ?? ''}"></div>
<div class="actions"><button type="submit">Filter</button> <a href="/console/incidents">Clear</a></div>
</form>`;
}

export function incidentTable(
  rows: readonly IncidentRow[],
  now: Date,
  formats: Formats,
  caption: string,
): Html {
  if (rows.length === 0) return html`<p class="empty">No incidents match.</p>`;
  return html`<table class="incidents">
<caption>${caption}</caption>
<thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Opened</th><th scope="col">Age / duration</th><th scope="col">Alerts</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr>
<td><a href="/console/incidents/${row.number}">${incidentRef(row.number)}</a>${drillMark(row.number)} ${row.title}</td>
<td>${badge('severity', row.severity)}</td>
<td>${badge('status', row.status)}${row.escalationDueAt ? html`<br><small>escalates ${row.escalationDueAt > now ? `in ${duration(row.escalationDueAt.getTime() - now.getTime())}` : 'now'}</small>` : ''}</td>
<td>${row.service ?? html`<span class="muted">—</span>`}</td>
<td>${formats.when(row.openedAt)}</td>
<td>${duration((row.resolvedAt ?? now).getTime() - row.openedAt.getTime())}${row.resolvedAt ? '' : ' (open)'}</td>
<td>${row.alertCount}</td>
</tr>`,
  )}</tbody>
</table>`;
}

export function incidentList(input: IncidentListInput): Html {
  const drills = input.form.kind === 'drills';
  const kind = drills ? 'Drills' : 'Incidents';
  return html`<h1>${kind}</h1>
${incidentFilters(input.form, input.services)}
<p class="muted">${drills ? html`Practice incidents (<code>/fleet drill</code>), numbered DRILL-1, DRILL-2…: <a href="/console/incidents">real incidents</a>.` : html`Drills are listed apart: <a href="/console/incidents?kind=drills">drills</a>.`}</p>
${input.problems.length > 0 ? html`<div class="problems" role="alert"><p>Some filters were not applied:</p><ul>${input.problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>` : ''}
${incidentTable(input.rows, input.now, input.formats, `${kind}, newest first (times in ${input.formats.zone})`)}
<nav class="pager" aria-label="Pages">${input.newestHref ? html`<a href="${input.newestHref}">Newest</a>` : ''}${input.olderHref ? html` <a rel="next" href="${input.olderHref}">Older ${kind.toLowerCase()} →</a>` : ''}</nav>`;
}
