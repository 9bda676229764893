import { SEVERITY_IDS } from '../config/schema-kit.ts';
import type { IncidentRow } from '../domain/console.ts';
import { INCIDENT_STATUSES, incidentRef } from '../domain/incident.ts';
import { badge, duration, type Formats } from './format.ts';
import { type Html, html } from './html.ts';

/** The list's filters as typed (the form shows them back). */
export interface IncidentFilterForm {
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
  /** Whether this is a later page (then a link back to the newest). */
  deep: boolean;
  now: Date;
  formats: Formats;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
}

export function incidentFilters(form: IncidentFilterForm, services: readonly string[]): Html {
  return html`<form class="filters" method="get" action="/console/incidents" role="search" aria-label="Filter incidents">
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
<td><a href="/console/incidents/${row.number}">${incidentRef(row.number)}</a> ${row.title}</td>
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
  return html`<h1>Incidents</h1>
${incidentFilters(input.form, input.services)}
${input.problems.length > 0 ? html`<div class="problems" role="alert"><p>Some filters were not applied:</p><ul>${input.problems.map((problem) => html`<li>${problem}</li>`)}</ul></div>` : ''}
${incidentTable(input.rows, input.now, input.formats, `Incidents, newest first (times in ${input.formats.zone})`)}
<nav class="pager" aria-label="Pages">${input.deep ? html`<a href="/console/incidents">Newest</a>` : ''}${input.olderHref ? html` <a rel="next" href="${input.olderHref}">Older incidents →</a>` : ''}</nav>`;
}
