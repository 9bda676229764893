import type { Viewer } from '../domain/console.ts';
import type { Permission } from '../domain/permissions.ts';
import { html } from '../web/html.ts';
import { page } from '../web/layout.ts';

/** What a console page is asked with: the signed-in viewer, the path's `:name` parameters (URL-decoded) and the query. */
export interface ConsoleRequest {
  viewer: Viewer;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The viewer holds one of `console.auditLog`'s permissions (the navigation shows the audit log). */
  canReadAudit: boolean;
}

/** A whole page, or a refusal the console renders as its 403 / 404 page (title and message said to the viewer). */
export type ConsoleOutcome =
  | { status: 200; html: string }
  | { status: 403 | 404; title: string; message: string };

/**
 * One page of the console. The console handler matches `path`, checks `permission` against the
 * viewer's permissions (a 403 page otherwise), then calls `handle`. Pages only read: the console
 * answers GET and HEAD alone.
 */
export interface ConsolePage {
  /** Below `/console`: `/` or `/incidents/:id` (`:name` matches one path segment). */
  path: string;
  permission: Permission;
  handle(request: ConsoleRequest): Promise<ConsoleOutcome>;
}

/** The console's pages, in the order they are matched (the first match wins). */
export function consolePages(): ConsolePage[] {
  return [
    {
      path: '/',
      permission: 'read',
      async handle({ viewer, canReadAudit }) {
        return {
          status: 200,
          html: page({
            title: 'Overview',
            section: 'overview',
            viewer,
            canReadAudit,
            body: html`<h1>Overview</h1>`,
          }),
        };
      },
    },
  ];
}
