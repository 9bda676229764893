/** Open modals, the trigger_ids already exchanged for one, and each user's published Home tab. */
import { randomBytes } from 'node:crypto';
import { APP_ID, BOT, TEAM } from './identity.ts';
import { slackId } from './ids.ts';

type Json = Record<string, unknown>;

export class ViewStore {
  readonly #views = new Map<string, Json>();
  readonly #exchangedTriggers = new Set<string>();
  readonly #homes = new Map<string, Json>();

  /** Marks the trigger used; false when it already was. */
  exchange(triggerId: string): boolean {
    if (this.#exchangedTriggers.has(triggerId)) return false;
    this.#exchangedTriggers.add(triggerId);
    return true;
  }

  open(view: Json): Json {
    const id = slackId('V');
    const stored = viewObject(id, id, view);
    this.#views.set(id, stored);
    return stored;
  }

  /** By view_id, else by the external_id the app gave it. */
  find(viewId: string | undefined, externalId: string | undefined): Json | undefined {
    if (viewId) return this.#views.get(viewId);
    return [...this.#views.values()].find((view) => externalId && view.external_id === externalId);
  }

  /** views.publish: the user's Home tab becomes `view` (one per user, replaced each time). */
  publish(userId: string, view: Json): Json {
    const current = this.#homes.get(userId);
    const id = (current?.id as string | undefined) ?? slackId('V');
    const stored = viewObject(id, id, view);
    this.#homes.set(userId, stored);
    return stored;
  }

  /** The Home tab last published for a user. */
  home(userId: string): Json | undefined {
    return this.#homes.get(userId);
  }

  replace(current: Json, view: Json): Json {
    const id = current.id as string;
    const stored = viewObject(id, current.root_view_id as string, view);
    this.#views.set(id, stored);
    return stored;
  }
}

/** Slack's view object (`view-submission-declare-incident.json` → `view`), with a fresh hash. */
function viewObject(id: string, rootId: string, view: Json): Json {
  return {
    id,
    team_id: TEAM.id,
    type: view.type,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    title: view.title,
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    close: view.close ?? null,
    submit: view.submit ?? null,
    previous_view_id: null,
    root_view_id: rootId,
    app_id: APP_ID,
    external_id: view.external_id ?? '',
    app_installed_team_id: TEAM.id,
    bot_id: BOT.botId,
  };
}
