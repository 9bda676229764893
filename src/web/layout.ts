import type { Viewer } from '../domain/console.ts';
import { redactString } from '../logging/redact.ts';
import { type Html, html } from './html.ts';

/** The console's sections, in the navigation's order; `audit` shows only to those who may read it. */
const SECTIONS = [
  { key: 'overview', label: 'Overview', href: '/console/' },
  { key: 'incidents', label: 'Incidents', href: '/console/incidents' },
  { key: 'oncall', label: 'On-call', href: '/console/oncall' },
  { key: 'maintenance', label: 'Maintenance', href: '/console/maintenance' },
  { key: 'audit', label: 'Audit log', href: '/console/audit' },
] as const;
export type Section = (typeof SECTIONS)[number]['key'];

export interface PageFrame {
  title: string;
  /** The navigation entry to mark as current. */
  section?: Section;
  viewer?: Viewer;
  /** Whether the viewer may open the audit log (decided by the caller from config). */
  canReadAudit?: boolean;
  body: Html;
}

/**
 * A whole document: one stylesheet, no inline script or style (the CSP forbids both). Scrubbed of
 * secrets as Slack output and logs are (a token pasted into an alert's title stays out of the page).
 */
export function page(frame: PageFrame): string {
  const nav = frame.viewer
    ? html`<nav aria-label="Sections"><ul>${SECTIONS.filter(
        (section) => section.key !== 'audit' || frame.canReadAudit,
      ).map(
        (section) =>
          html`<li><a href="${section.href}"${section.key === frame.section ? html` aria-current="page"` : ''}>${section.label}</a></li>`,
      )}</ul><p class="who">Signed in as ${frame.viewer.name} · <a href="/console/sign-out">Sign out</a></p></nav>`
    : '';
  return redactString(
    html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · fleetbot</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header><a class="brand" href="/console/">fleetbot</a>${nav}</header>
<main id="main">
${frame.body}
</main>
</body>
</html>
`.text,
  );
}

/** A page that says what happened and what to do: 403, 404, 405. */
export function errorPage(options: {
  status: number;
  title: string;
  message: string;
  viewer?: Viewer;
}): string {
  return page({
    title: options.title,
    ...(options.viewer ? { viewer: options.viewer } : {}),
    body: html`<h1>${options.title}</h1><p class="error-status">HTTP ${options.status}</p><p>${options.message}</p><p><a href="/console/">Back to the overview</a></p>`,
  });
}
