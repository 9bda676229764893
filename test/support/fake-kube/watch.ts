/**
 * `?watch=true` on a list URL: a chunked stream of newline-delimited `{"type","object"}` events.
 *
 * Start point, as the API server's watch cache does it: no resourceVersion (or "0") sends every current
 * object as ADDED first; a resourceVersion replays the changes after it, or one ERROR event with a 410
 * Status when the history no longer reaches back. `sendInitialEvents=true` sends the current objects then
 * a BOOKMARK marked `k8s.io/initial-events-end`. An object that stops matching the selectors arrives as
 * DELETED, one that starts matching as ADDED. A client asking for Tables gets a one-row Table per event.
 * The stream ends after `timeoutSeconds` or on close().
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './k8s-types.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { FieldMatcher, LabelMatcher } from './selectors.ts';
import { gone } from './status.ts';
import type { ObjectStore, StoreEvent, WatchEventType } from './store.ts';
import { toTable } from './tables.ts';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  labels: LabelMatcher;
  fields: FieldMatcher;
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean;
  /** Set when the client asked for Tables (`kubectl get -w`): each event then carries a one-row Table. */
  table?: { includeObject: string | null };
}

export function serveWatch(response: ServerResponse, store: ObjectStore, request: WatchRequest): void {
  const selected = (object: KubeObject | undefined) =>
    object !== undefined &&
    (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
    request.labels(object.metadata.labels) &&
    request.fields(object);

  const send = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: unknown) => {
    if (!response.writableEnded) response.write(`${JSON.stringify({ type, object })}\n`);
  };
  const sendObject = (type: WatchEventType, object: KubeObject) =>
    send(
      type,
      request.table
        ? toTable(
            request.type.kind,
            [object],
            object.metadata.resourceVersion ?? '',
            request.table.includeObject,
          )
        : object,
    );

  const forward = (event: StoreEvent) => {
    if (event.resource !== request.type.name) return;
    const now = selected(event.object);
    const before = event.type === 'MODIFIED' && selected(event.previous);
    if (event.type === 'MODIFIED' && before && !now) sendObject('DELETED', event.object);
    else if (event.type === 'MODIFIED' && !before && now) sendObject('ADDED', event.object);
    else if (now) sendObject(event.type, event.object);
  };

  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();

  // Node runs this synchronously, so no write can land between reading the state and subscribing.
  const startVersion = Number(store.resourceVersion);
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const unsubscribe = store.subscribe(forward);
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    unsubscribe();
    if (!response.writableEnded) response.end();
  };

  const rv = request.resourceVersion;
  if (request.sendInitialEvents || !rv || rv === '0') {
    for (const object of store.list(request.type.name, request.namespace))
      if (selected(object)) sendObject('ADDED', object);
    if (request.sendInitialEvents) {
      send('BOOKMARK', {
        kind: request.type.kind,
        apiVersion: apiVersionOf(request.type),
        metadata: {
          resourceVersion: String(startVersion),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    }
  } else {
    const history = store.eventsSince(Number(rv));
    if (!history) {
      send('ERROR', gone(`too old resource version: ${rv} (${startVersion})`).body);
      finish();
      return;
    }
    for (const event of history) forward(event);
  }
  if (request.timeoutSeconds !== undefined) timer = setTimeout(finish, request.timeoutSeconds * 1000);
  response.on('close', finish);
}
