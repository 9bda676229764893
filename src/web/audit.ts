import type { AuditRow } from '../domain/console.ts';
import { incidentRef } from '../domain/incident.ts';
import { badge, type Formats, who } from './format.ts';
import { type Html, html } from './html.ts';

export interface AuditForm {
  user?: string;
  action?: string;
  service?: string;
  outcome?: string;
}

export const OUTCOMES = ['ok', 'warning', 'failed', 'denied', 'cancelled', 'queued', 'running'] as const;

function params(values: Record<string, unknown>): string {
  const entries = Object.entries(values);
  return entries.length === 0
    ? ''
    : entries
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
}

export function auditPage(input: {
  form: AuditForm;
  rows: readonly AuditRow[];
  actions: readonly string[];
  olderHref?: string;
  deep: boolean;
  formats: Formats;
}): Html {
  const { form } = input;
  return html`<h1>Audit log</h1>
<form class="filters" method="get" action="/console/audit" role="search" aria-label="Filter the audit log">
<div><label for="a-user">User (Slack id)</label><input id="a-user" name="user" value="${form.user ?? ''}" placeholder="U0123ABC"></div>
<div><label for="a-action">Action</label><select id="a-action" name="action"><option value="">any</option>${input.actions.map((action) => html`<option value="${action}"${action === form.action ? html` selected` : ''}>${action}</option>`)}</select></div>
<div><label for="a-service">Service or workload</label><input id="a-service" name="service" value="${form.service ?? ''}" placeholder="fleet-api"></div>
<div><label for="a-outcome">Outcome</label><select id="a-outcome" name="outcome"><option value="">any</option>${OUTCOMES.map((outcome) => html`<option value="${outcome}"${outcome === form.outcome ? html` selected` : ''}>${outcome}</option>`)}</select></div>
<div class="actions"><button type="submit">Filter</button> <a href="/console/audit">Clear</a></div>
</form>
${
  input.rows.length === 0
    ? html`<p class="empty">No action runs match.</p>`
    : html`<table>
<caption>Every action asked for, newest first (times in ${input.formats.zone}; secret values were redacted when recorded)</caption>
<thead><tr><th scope="col">Asked</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">By</th><th scope="col">Confirmed by</th><th scope="col">From</th><th scope="col">Outcome</th><th scope="col">Incident</th></tr></thead>
<tbody>${input.rows.map(
        (row) =>
          html`<tr><td>${input.formats.when(row.requestedAt)}</td><td>${row.action} <small>${params(row.params)}</small></td><td>${row.target ?? ''}</td><td>${who(row.requestedBy)}</td><td>${row.confirmedBy ? who(row.confirmedBy) : ''}</td><td>${row.origin}</td><td>${badge('status', row.status)} ${row.summary ?? ''}</td><td>${row.incident ? html`<a href="/console/incidents/${row.incident}">${incidentRef(row.incident)}</a>` : ''}</td></tr>`,
      )}</tbody></table>`
}
<nav class="pager" aria-label="Pages">${input.deep ? html`<a href="/console/audit">Newest</a>` : ''}${input.olderHref ? html` <a rel="next" href="${input.olderHref}">Older runs →</a>` : ''}</nav>`;
}
