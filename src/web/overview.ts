import { SEVERITY_IDS } from '../config/schema-kit.ts';
import type { IncidentRow, IncidentStats } from '../domain/console.ts';
import { badge, duration, type Formats } from './format.ts';
import { type Html, html } from './html.ts';
import { incidentTable } from './incidents.ts';

export interface OverviewInput {
  stats: IncidentStats;
  open: IncidentRow[];
  days: number;
  now: Date;
  formats: Formats;
}

/** Days of the alerts-per-day table, newest first. */
const SHOWN_DAYS = 14;

/** Alerts per day as a bar list: the numbers are the content, the bars only draw them. */
function alertsPerDay(all: IncidentStats['alertsPerDay']): Html {
  const days = all.slice(-SHOWN_DAYS).reverse();
  const most = Math.max(1, ...days.map((day) => day.count));
  return html`<table class="bars">
<caption>Alerts received per day, last ${SHOWN_DAYS} days (UTC)</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Alerts</th></tr></thead>
<tbody>${days.map(
    (day) =>
      html`<tr><td>${day.day}</td><td><meter min="0" max="${most}" value="${day.count}" aria-hidden="true"></meter> ${day.count}</td></tr>`,
  )}</tbody>
</table>`;
}

export function overviewPage(input: OverviewInput): Html {
  const { stats } = input;
  return html`<h1>Overview</h1>
<section aria-labelledby="h-open"><h2 id="h-open">Open incidents by severity</h2>
<ul class="tiles">${SEVERITY_IDS.map(
    (severity) =>
      html`<li><a href="/console/incidents?status=open&amp;severity=${severity}">${badge('severity', severity)} <strong>${stats.openBySeverity[severity]}</strong> open</a></li>`,
  )}</ul>
<p class="muted">Drills are not counted, here or in the last ${input.days} days' figures; an open drill is listed below, marked DRILL (<a href="/console/incidents?kind=drills">all drills</a>).</p>
${incidentTable(input.open, input.now, input.formats, 'Open incidents, most severe first')}
</section>
<section aria-labelledby="h-response"><h2 id="h-response">Last ${input.days} days</h2>
<dl class="facts">
<div><dt>Incidents opened</dt><dd>${stats.opened}</dd></div>
<div><dt>Mean time to acknowledge (MTTA)</dt><dd>${stats.mttaMs === undefined ? 'no acknowledged incident' : duration(stats.mttaMs)}</dd></div>
<div><dt>Mean time to resolve (MTTR)</dt><dd>${stats.mttrMs === undefined ? 'no resolved incident' : duration(stats.mttrMs)}</dd></div>
</dl>
${alertsPerDay(stats.alertsPerDay)}
</section>`;
}
