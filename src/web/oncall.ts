import { SEVERITY_IDS } from '../config/schema-kit.ts';
import { INCIDENT_FLAGS } from '../domain/incident.ts';
import type { OnCallBoard } from '../services/console-views.ts';
import { duration, type Formats, who } from './format.ts';
import { type Html, html } from './html.ts';

function people(users: readonly string[], groups: readonly string[]): Html {
  if (users.length === 0 && groups.length === 0)
    return html`<span class="warning">nobody: the role has no Slack user or group</span>`;
  return html`${users.map((user, index) => html`${index > 0 ? ', ' : ''}${who(user)}`)}${groups.map((group) => html`${users.length > 0 ? ', ' : ''}group <code>${group}</code>`)}`;
}

export function oncallPage(board: OnCallBoard, formats: Formats): Html {
  const { preview } = board;
  return html`<h1>On-call</h1>
<section aria-labelledby="h-rotations"><h2 id="h-rotations">Rotations</h2>
${
  board.rotations.length === 0
    ? html`<p class="empty">No rotation configured (oncall.rotations in fleetbot.yml): roles page the people fleetbot.yml lists.</p>`
    : html`<table>
<caption>Who is on call now and next (times in ${formats.zone})</caption>
<thead><tr><th scope="col">Rotation</th><th scope="col">Role</th><th scope="col">Now</th><th scope="col">Hands over</th><th scope="col">Next</th></tr></thead>
<tbody>${board.rotations.map(
        (turn) =>
          html`<tr><td>${turn.rotation}</td><td>${turn.roleName}</td><td>${who(turn.member)}</td><td>${formats.when(turn.until)} (in ${duration(turn.until.getTime() - board.at.getTime())})</td><td>${who(turn.next)}</td></tr>`,
      )}</tbody></table>`
}
</section>
<section aria-labelledby="h-overrides"><h2 id="h-overrides">Overrides in force</h2>
${
  board.overrides.length === 0
    ? html`<p class="empty">None. <code>/fleet oncall override @someone 8h</code> sets one.</p>`
    : html`<table>
<caption>Overrides, newest first (the newest wins for its role)</caption>
<thead><tr><th scope="col">Role</th><th scope="col">Covered by</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Reason</th><th scope="col">Set by</th></tr></thead>
<tbody>${board.overrides.map(
        (override) =>
          html`<tr><td>${override.role}</td><td>${who(override.user)}</td><td>${formats.when(override.startsAt)}</td><td>${formats.when(override.endsAt)}</td><td>${override.reason ?? ''}</td><td>${who(override.createdBy)}</td></tr>`,
      )}</tbody></table>`
}
</section>
<section aria-labelledby="h-matrix"><h2 id="h-matrix">Escalation matrix</h2>
<table>
<caption>Each role and the people it pages now</caption>
<thead><tr><th scope="col">Role</th><th scope="col">People</th><th scope="col">Decided by</th></tr></thead>
<tbody>${board.matrix.map(
    (entry) =>
      html`<tr><td>${entry.name}</td><td>${people(entry.people.users, entry.people.groups)}</td><td>${entry.people.via}${entry.people.turn ? ` (${entry.people.turn.rotation})` : ''}</td></tr>`,
  )}</tbody></table>
</section>
<section aria-labelledby="h-preview"><h2 id="h-preview">Escalation preview</h2>
<form class="filters" method="get" action="/console/oncall#h-preview" aria-label="Preview an escalation">
<div><label for="p-severity">Severity</label><select id="p-severity" name="severity">${SEVERITY_IDS.map((severity) => html`<option value="${severity}"${severity === preview.severity ? html` selected` : ''}>${severity}</option>`)}</select></div>
<fieldset><legend>Flags</legend>${INCIDENT_FLAGS.map((flag) => html`<label class="check"><input type="checkbox" name="flag" value="${flag}"${preview.flags.includes(flag) ? html` checked` : ''}> ${flag}</label>`)}</fieldset>
<div class="actions"><button type="submit">Preview</button></div>
</form>
<table>
<caption>${preview.severity} opened now${preview.flags.length > 0 ? ` with ${preview.flags.join(', ')}` : ''}, nobody acknowledging: who is paged when</caption>
<thead><tr><th scope="col">After</th><th scope="col">At</th><th scope="col">What</th><th scope="col">Who</th><th scope="col">Why</th></tr></thead>
<tbody>${preview.steps.map(
    (step) =>
      html`<tr><td>+${step.afterMs === 0 ? '0 s' : duration(step.afterMs)}</td><td>${formats.when(step.at)}</td><td>${step.kind === 'page' ? 'page' : 'notify'}</td><td>${step.names.join(', ')}</td><td>${step.reason}</td></tr>`,
  )}</tbody></table>
${preview.more > 0 ? html`<p class="muted">… ${preview.more} more re-pages until someone acknowledges.</p>` : ''}
</section>`;
}
