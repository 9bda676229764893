import type { TimelineCursor, TimelinePage } from '../domain/console.ts';
import { responseTimes } from '../domain/console.ts';
import type { DrillReport } from '../domain/drill.ts';
import { CHECKLISTS, type Incident, incidentRef } from '../domain/incident.ts';
import type { IncidentAlert, IncidentRun } from '../domain/incident-store.ts';
import { drillPart } from './drill.ts';
import { badge, drillMark, duration, type Formats, slackLink, who } from './format.ts';
import { type Html, html } from './html.ts';

export interface IncidentPageInput {
  incident: Incident;
  alerts: readonly IncidentAlert[];
  runs: readonly IncidentRun[];
  timeline: TimelinePage;
  /** Where the shown page of the timeline started (a later page links back to the first). */
  after?: TimelineCursor;
  escalationDueAt?: Date;
  message?: { channel: string; ts: string };
  drillReport?: DrillReport;
  now: Date;
  formats: Formats;
  /** A role's name from fleetbot.yml (a drill report names roles). */
  roleName: (id: string) => string;
}

function row(label: string, value: Html | string | undefined): Html {
  return value === undefined ? html`` : html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
}

function summary(input: IncidentPageInput): Html {
  const { incident, formats, now } = input;
  const { ttaMs, ttrMs } = responseTimes(incident);
  const stamp = (at: Date | undefined, by: string | undefined) =>
    at ? html`${formats.when(at)} by ${who(by)}` : undefined;
  return html`<dl class="facts">
${row('Service', incident.service ?? incident.target ?? 'unknown')}
${row('Opened', html`${formats.when(incident.openedAt)}${incident.openedBy ? html` by ${who(incident.openedBy)}` : ''}`)}
${row('Acknowledged', stamp(incident.acknowledgedAt, incident.acknowledgedBy))}
${row('Mitigated', stamp(incident.mitigatedAt, incident.mitigatedBy))}
${row('Resolved', stamp(incident.resolvedAt, incident.resolvedBy))}
${row('Time to acknowledge', ttaMs === undefined ? 'not yet' : duration(ttaMs))}
${row('Time to resolve', ttrMs === undefined ? `open for ${duration(now.getTime() - incident.openedAt.getTime())}` : duration(ttrMs))}
${row('Next escalation', input.escalationDueAt && incident.status === 'triggered' ? html`${formats.when(input.escalationDueAt)} (${input.escalationDueAt > now ? `in ${duration(input.escalationDueAt.getTime() - now.getTime())}` : 'due now'})` : undefined)}
${row('Commander', incident.commander ? who(incident.commander) : 'not assigned')}
${row('Flags', incident.flags.length > 0 ? incident.flags.join(', ') : 'none')}
${row('Alerts', `${incident.alertCount} (${incident.repeatCount} repeats)`)}
${row('Slack', slackLinks(input))}
</dl>
${incident.summary ? html`<p class="summary">${incident.summary}</p>` : ''}`;
}

function slackLinks(input: IncidentPageInput): Html {
  const links = [
    input.message
      ? html`<a href="${slackLink(input.message.channel, input.message.ts)}">Alert thread</a>`
      : undefined,
    input.incident.channel
      ? html`<a href="${slackLink(input.incident.channel)}">Incident channel</a>`
      : undefined,
  ].filter((link) => link !== undefined);
  return links.length > 0
    ? html`${links.map((link, index) => html`${index > 0 ? ' · ' : ''}${link}`)}`
    : html`not posted yet`;
}

function alerts(input: IncidentPageInput): Html {
  if (input.alerts.length === 0) return html`<p class="empty">No alerts: declared by hand.</p>`;
  return html`<table>
<caption>Alerts attached</caption>
<thead><tr><th scope="col">Alert</th><th scope="col">Source</th><th scope="col">State</th><th scope="col">Received</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr></thead>
<tbody>${input.alerts.map(
    (alert) =>
      html`<tr><td>${alert.title}${alert.links.map((link) => html` · <a href="${safeHref(link.url)}">${link.label}</a>`)}</td><td>${alert.source}</td><td>${alert.status}${alert.resolvedAt ? html` ${input.formats.when(alert.resolvedAt)}` : ''}</td><td>${alert.repeatCount}×</td><td>${input.formats.when(alert.firstSeenAt)}</td><td>${input.formats.when(alert.lastSeenAt)}</td></tr>`,
  )}</tbody>
</table>`;
}

/** Only web links leave the console (an alert's link could say `javascript:`). */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

function runs(input: IncidentPageInput): Html {
  if (input.runs.length === 0)
    return html`<p class="empty">No runbook action was run from this incident.</p>`;
  return html`<table>
<caption>Actions run</caption>
<thead><tr><th scope="col">Action</th><th scope="col">By</th><th scope="col">Asked</th><th scope="col">Result</th><th scope="col">Finished</th></tr></thead>
<tbody>${input.runs.map(
    (run) =>
      html`<tr><td>${run.action}${run.target ? ` ${run.target}` : ''}</td><td>${who(run.requestedBy)}</td><td>${input.formats.when(run.requestedAt)}</td><td>${badge('status', run.status)} ${run.summary ?? ''}</td><td>${run.finishedAt ? input.formats.when(run.finishedAt) : '—'}</td></tr>`,
  )}</tbody>
</table>`;
}

function checklists(input: IncidentPageInput): Html {
  return html`${Object.entries(CHECKLISTS).map(([id, list]) => {
    const done = list.items.filter(([item]) => input.incident.checklist[`${id}.${item}`]).length;
    return html`<section aria-labelledby="checklist-${id}">
<h3 id="checklist-${id}">${list.title} <small>${done} of ${list.items.length} done</small></h3>
<ul class="checklist">${list.items.map(([item, label]) => {
      const tick = input.incident.checklist[`${id}.${item}`];
      return tick
        ? html`<li class="done"><span aria-label="done">✓</span> ${label} <small>${who(tick.by)}, ${input.formats.when(tick.at)}</small></li>`
        : html`<li class="todo"><span aria-label="not done">○</span> ${label}</li>`;
    })}</ul>
</section>`;
  })}`;
}

function timeline(input: IncidentPageInput): Html {
  const { timeline: page, incident } = input;
  const first = page.events[0];
  const nextHref = page.next
    ? `/console/incidents/${incident.number}?after=${encodeURIComponent(`${page.next.at}~${page.next.id}`)}#timeline`
    : undefined;
  return html`<p class="muted">${page.total} events${page.total > page.events.length ? html`, ${page.events.length} shown from ${first ? input.formats.when(first.at) : ''}` : ''}.</p>
<ol class="timeline">${page.events.map(
    (event) =>
      // Lean markup: a page carries 200 of these (the time styled as `ol.timeline time`).
      html`<li>${input.formats.when(event.at)} <span class="kind">${event.kind}</span> <span class="actor">${who(event.actor)}</span> ${event.text}</li>`,
  )}</ol>
<nav class="pager" aria-label="Timeline pages">${input.after ? html`<a href="/console/incidents/${incident.number}#timeline">First events</a>` : ''}${nextHref ? html` <a rel="next" href="${nextHref}">Later events →</a>` : ''}</nav>`;
}

export function incidentPage(input: IncidentPageInput): Html {
  const { incident } = input;
  return html`<p class="crumbs"><a href="/console/incidents">Incidents</a> ›</p>
<h1>${incidentRef(incident.number)} · ${incident.title}</h1>
<p>${badge('severity', incident.severity)} ${badge('status', incident.status)}${drillMark(incident.number)} · <a href="/console/incidents/${incident.number}/postmortem">Post-mortem draft</a></p>
${drillPart(input)}
<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>${summary(input)}</section>
${incident.evidence ? html`<section aria-labelledby="h-evidence"><h2 id="h-evidence">Cluster evidence</h2><p class="muted">Gathered ${input.formats.when(incident.evidence.at)}${incident.evidence.note ? ` · ${incident.evidence.note}` : ''}</p><ul class="evidence">${incident.evidence.lines.map((line) => html`<li><code>${line}</code></li>`)}</ul></section>` : ''}
<section aria-labelledby="h-alerts"><h2 id="h-alerts">Alerts</h2>${alerts(input)}</section>
<section aria-labelledby="h-runs"><h2 id="h-runs">Actions</h2>${runs(input)}</section>
<section aria-labelledby="h-checklists"><h2 id="h-checklists">Checklists</h2>${checklists(input)}</section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>${timeline(input)}</section>`;
}
