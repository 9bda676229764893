import type { MaintenanceBoard } from '../services/console-views.ts';
import { duration, type Formats, who } from './format.ts';
import { type Html, html } from './html.ts';

export function maintenancePage(board: MaintenanceBoard, formats: Formats): Html {
  const state = (window: MaintenanceBoard['windows'][number]) => {
    if (!window.approvedBy) return html`<span class="warning">waiting for approval</span>`;
    if (window.startsAt <= board.at)
      return html`<strong>in force</strong>, approved by ${who(window.approvedBy)}`;
    return html`approved by ${who(window.approvedBy)}`;
  };
  return html`<h1>Maintenance</h1>
<section aria-labelledby="h-holds"><h2 id="h-holds">Holds in force</h2>
${board.inForce.length === 0 ? html`<p>None: every page goes out as the escalation matrix says.</p>` : html`<ul>${board.inForce.map((hold) => html`<li>${hold.id ? `#${hold.id} ` : ''}${hold.reason}: until ${formats.when(hold.end)} (${duration(hold.end.getTime() - board.at.getTime())} left) — pages of ${board.holdPaging.join(', ') || 'no severity'} wait for its end</li>`)}</ul>`}
</section>
<section aria-labelledby="h-recurring"><h2 id="h-recurring">Next scheduled window</h2>
<p>${formats.when(board.recurring.start)} – ${formats.when(board.recurring.end)}${board.recurring.start > board.at ? ` (in ${duration(board.recurring.start.getTime() - board.at.getTime())})` : ''}. Severities held: ${board.holdPaging.join(', ') || 'none'}.</p>
</section>
<section aria-labelledby="h-adhoc"><h2 id="h-adhoc">Emergency and ad-hoc windows</h2>
${
  board.windows.length === 0
    ? html`<p class="empty">None to come. <code>/fleet maintenance start 2h reason</code> asks for one.</p>`
    : html`<table>
<caption>Windows to come or in force (times in ${formats.zone})</caption>
<thead><tr><th scope="col">#</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Reason</th><th scope="col">Asked by</th><th scope="col">State</th></tr></thead>
<tbody>${board.windows.map((window) => html`<tr><td>${window.id}</td><td>${formats.when(window.startsAt)}</td><td>${formats.when(window.endsAt)}</td><td>${window.reason}</td><td>${who(window.createdBy)}</td><td>${state(window)}</td></tr>`)}</tbody></table>`
}
</section>`;
}
