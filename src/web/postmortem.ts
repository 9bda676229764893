import MarkdownIt from 'markdown-it';
import { incidentRef } from '../domain/incident.ts';
import { type Html, html, trusted } from './html.ts';

// Raw HTML in the draft (an alert title, a note) is shown as text, and links other than web and
// mail links are dropped: markdown-it's defaults with `html: false`.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function postmortemPage(number: number, draft: string): Html {
  return html`<p class="crumbs"><a href="/console/incidents">Incidents</a> › <a href="/console/incidents/${number}">${incidentRef(number)}</a> ›</p>
<p class="muted">Post-mortem draft, made from the ticket: <code>fleetbot incidents postmortem ${number}</code> prints it as Markdown.</p>
<article class="postmortem">${trusted(markdown.render(draft))}</article>`;
}
