import { type DrillReport, drillReportSections } from '../domain/drill.ts';
import type { Incident } from '../domain/incident.ts';
import { duration, type Formats, who } from './format.ts';
import { type Html, html } from './html.ts';

export interface DrillPartInput {
  incident: Incident;
  drillReport?: DrillReport;
  formats: Formats;
  /** A role's name from fleetbot.yml. */
  roleName: (id: string) => string;
}

/**
 * A drill's section of its incident page (nothing for a real incident): its report once it ended,
 * or how it runs until then.
 */
export function drillPart(input: DrillPartInput): Html {
  const { incident, drillReport, formats } = input;
  const drill = incident.drill;
  if (!drill) return html``;
  const ends = drill.endsAt ? html`; it times out at ${formats.when(drill.endsAt)} unless resolved` : '';
  return html`<section aria-labelledby="h-drill"><h2 id="h-drill">Drill</h2>
<p class="muted">A practice incident: not counted in the overview's figures.</p>
${
  drillReport
    ? report(drillReport, input.roleName)
    : html`<p>Run at ×${drill.speed} by ${who(drill.startedBy)}${ends}. ${
        incident.status === 'resolved'
          ? 'The drill has ended: its report is being built.'
          : 'The report is posted when the drill ends.'
      }</p>`
}</section>`;
}

/** The report's sections. Its lines are plain text, escaped whole by `html` (a note or a Slack error can hold markup). */
function report(drillReport: DrillReport, roleName: (id: string) => string): Html {
  const sections = drillReportSections(drillReport, {
    who: (user) => `@${user}`,
    duration,
    role: roleName,
    text: (text) => text,
  });
  return html`${sections.map(
    (part, index) => html`<section aria-labelledby="h-drill-${index}">
<h3 id="h-drill-${index}">${part.title}</h3>
<ul>${part.lines.map((line) => html`<li>${line}</li>`)}</ul>
</section>`,
  )}`;
}
