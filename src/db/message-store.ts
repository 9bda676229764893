import type pg from 'pg';
import type { Claim, MessageStore, StoredMessage } from '../domain/message-store.ts';
import type { MessageContent, OutboundMessage } from '../domain/notifier.ts';
import type { Requester } from '../domain/requester.ts';

/** Where a message goes, as kept in `target`: the message without its key, kind and content. */
interface Target {
  channel?: string;
  user?: string;
  responseUrl?: string;
  replaceOriginal?: boolean;
  visibility?: 'ephemeral' | 'in_channel';
  threadKey?: string;
  threadTs?: string;
  file?: { filename: string; title: string; encoding?: 'base64' };
  pin?: boolean;
}

const DEFAULT_UPDATE_INTERVAL_MS = 1_000;

/** `slack_messages` in PostgreSQL: the delivery path's record of every message and how far it got. */
export class PgMessageStore implements MessageStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async recordAll(messages: readonly OutboundMessage[], requester: Requester | undefined, now: Date) {
    const rows = messages.map((message) => {
      const { target, content } = split(message);
      const interval =
        message.kind === 'post' ? (message.minUpdateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS) : 0;
      return {
        key: message.key,
        kind: message.kind,
        target: JSON.stringify(target),
        content: JSON.stringify(content),
        interval,
      };
    });
    // Ids follow the order given (ORDER BY ord), which is the order messages of a thread are sent in.
    const inserted = await this.pool.query<{ id: string; version: number; key: string }>(
      `INSERT INTO slack_messages (key, kind, target, content, requester, min_update_interval_ms, next_attempt_at, created_at)
       SELECT key, kind, target::jsonb, content::jsonb, $6, update_interval, $7, $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])
              WITH ORDINALITY AS m(key, kind, target, content, update_interval, ord)
        ORDER BY ord
       ON CONFLICT (key) DO NOTHING
       RETURNING id, version, key`,
      [
        rows.map((row) => row.key),
        rows.map((row) => row.kind),
        rows.map((row) => row.target),
        rows.map((row) => row.content),
        rows.map((row) => row.interval),
        requester ? JSON.stringify(requester) : null,
        now,
      ],
    );
    const found = new Map(
      inserted.rows.map((row) => [row.key, { id: String(row.id), version: row.version, created: true }]),
    );
    // Keys recorded before: read in a statement of their own, which sees a concurrent first insert
    // that the insert waited for.
    const repeated = rows.map((row) => row.key).filter((key) => !found.has(key));
    if (repeated.length > 0) {
      const existing = await this.pool.query<{ id: string; version: number; key: string }>(
        'SELECT id, version, key FROM slack_messages WHERE key = ANY($1::text[])',
        [repeated],
      );
      for (const row of existing.rows) {
        found.set(row.key, { id: String(row.id), version: row.version, created: false });
      }
    }
    const seen = new Set<string>();
    return rows.map(({ key }) => {
      const row = found.get(key);
      if (!row) throw new Error(`slack message "${key}" vanished while being recorded`);
      // The same key twice in one call is one message, created once.
      const created = row.created && !seen.has(key);
      seen.add(key);
      return { ...row, created };
    });
  }

  async revise(key: string, content: MessageContent, now: Date) {
    // A message Slack refused for good stays refused: editing it cannot make the channel exist.
    // The same content again is no edit: nothing is sent (a storm of repeats re-renders a message
    // that shows nothing new), and the row is read as it is, in the same statement.
    const result = await this.pool.query<{ id: string; version: number; not_before: Date; pending: boolean }>(
      `WITH revised AS (
         UPDATE slack_messages
            SET content = $2, version = version + 1,
                status = CASE WHEN status = 'failed' THEN 'failed' ELSE 'pending' END,
                next_attempt_at = GREATEST(next_attempt_at, $3)
          WHERE key = $1 AND content IS DISTINCT FROM $2::jsonb
          RETURNING id, version, status = 'pending' AS pending,
            GREATEST($3, COALESCE(last_sent_at + make_interval(secs => min_update_interval_ms / 1000.0), $3)) AS not_before
       )
       SELECT id, version, pending, not_before FROM revised
       UNION ALL
       SELECT id, version, status = 'pending', $3::timestamptz FROM slack_messages
        WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM revised)`,
      [key, JSON.stringify(content), now],
    );
    const row = result.rows[0];
    return row
      ? { id: String(row.id), version: row.version, notBefore: row.not_before, pending: row.pending }
      : undefined;
  }

  async claim(id: string, owner: string, now: Date, leaseMs: number): Promise<Claim | undefined> {
    const claimed = await this.pool.query(
      `UPDATE slack_messages SET lease_owner = $2, lease_until = $3::timestamptz + make_interval(secs => $4 / 1000.0)
       WHERE id = $1 AND (lease_until IS NULL OR lease_until <= $3)
       RETURNING *`,
      [id, owner, now, leaseMs],
    );
    if (claimed.rows[0]) return { claimed: true, message: toStored(claimed.rows[0]) };
    const held = await this.pool.query<{ lease_until: Date | null }>(
      'SELECT lease_until FROM slack_messages WHERE id = $1',
      [id],
    );
    const row = held.rows[0];
    // Released between the two statements: free now, for the next look.
    return row ? { claimed: false, busyUntil: row.lease_until ?? now } : undefined;
  }

  async byKey(key: string): Promise<StoredMessage | undefined> {
    const result = await this.pool.query('SELECT * FROM slack_messages WHERE key = $1', [key]);
    return result.rows[0] ? toStored(result.rows[0]) : undefined;
  }

  async hasEarlierUnsent(message: StoredMessage): Promise<boolean> {
    const thread = threadKeyOf(message.message);
    if (!thread) return false;
    const result = await this.pool.query(
      `SELECT 1 FROM slack_messages
       WHERE target->>'threadKey' = $1 AND id < $2 AND delivered_version = 0 AND status = 'pending'
       LIMIT 1`,
      [thread, message.id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async nextInThreads(threadKeys: readonly string[]) {
    if (threadKeys.length === 0) return [];
    const result = await this.pool.query<{ id: string; version: number; attempts: number }>(
      `SELECT DISTINCT ON (target->>'threadKey') id, version, attempts FROM slack_messages
       WHERE target->>'threadKey' = ANY($1) AND delivered_version = 0 AND status = 'pending'
       ORDER BY target->>'threadKey', id`,
      [threadKeys],
    );
    return result.rows.map((row) => ({ id: String(row.id), version: row.version, attempts: row.attempts }));
  }

  async delivered(
    id: string,
    owner: string,
    sent: { version: number; ts?: string; channel?: string; now: Date },
  ): Promise<void> {
    // An upload's file text is only kept until Slack has it: logs do not belong in fleetbot's database.
    await this.pool.query(
      `UPDATE slack_messages
         SET delivered_version = GREATEST(delivered_version, $3),
             status = CASE WHEN GREATEST(delivered_version, $3) >= version THEN 'delivered' ELSE 'pending' END,
             ts = COALESCE(ts, $4), posted_channel = COALESCE(posted_channel, $5),
             content = CASE WHEN kind = 'upload' THEN NULL ELSE content END,
             attempts = 0, last_error = NULL, last_sent_at = $6, delivered_at = $6, next_attempt_at = $6,
             lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2`,
      [id, owner, sent.version, sent.ts ?? null, sent.channel ?? null, sent.now],
    );
  }

  async defer(id: string, owner: string, at: Date): Promise<void> {
    await this.pool.query(
      `UPDATE slack_messages SET next_attempt_at = $3, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2`,
      [id, owner, at],
    );
  }

  async retryLater(id: string, owner: string, failure: { at: Date; error: string }): Promise<number> {
    const result = await this.pool.query<{ attempts: number }>(
      `UPDATE slack_messages SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4,
         lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2
       RETURNING attempts`,
      [id, owner, failure.error, failure.at],
    );
    return result.rows[0]?.attempts ?? 0;
  }

  async failed(id: string, owner: string, failure: { error: string; now: Date }): Promise<void> {
    await this.pool.query(
      `UPDATE slack_messages SET status = 'failed', attempts = attempts + 1, last_error = $3,
         content = CASE WHEN kind = 'upload' THEN NULL ELSE content END,
         next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2`,
      [id, owner, failure.error, failure.now],
    );
  }

  async overdue(before: Date, limit: number) {
    const result = await this.pool.query<{ id: string; version: number; attempts: number }>(
      `SELECT id, version, attempts FROM slack_messages
       WHERE status = 'pending' AND next_attempt_at < $1 AND (lease_until IS NULL OR lease_until < $1)
       ORDER BY next_attempt_at LIMIT $2`,
      [before, limit],
    );
    return result.rows.map((row) => ({ id: String(row.id), version: row.version, attempts: row.attempts }));
  }

  async backlog(now: Date) {
    const result = await this.pool.query<{ pending: number; oldest: Date | null }>(
      `SELECT count(*)::int AS pending, min(created_at) AS oldest FROM slack_messages WHERE status = 'pending'`,
    );
    const row = result.rows[0];
    const oldest = row?.oldest;
    return {
      pending: row?.pending ?? 0,
      oldestAgeSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    };
  }

  async prune(before: Date): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM slack_messages WHERE created_at < $1 AND status <> 'pending'`,
      [before],
    );
    return result.rowCount ?? 0;
  }
}

function split(message: OutboundMessage): { target: Target; content: unknown } {
  switch (message.kind) {
    case 'post':
      return {
        target: {
          channel: message.channel,
          ...thread(message.thread),
          ...(message.pin ? { pin: true } : {}),
        },
        content: message.content,
      };
    case 'ephemeral':
      return { target: { channel: message.channel, user: message.user }, content: message.content };
    case 'respond':
      return {
        target: {
          responseUrl: message.responseUrl,
          replaceOriginal: message.replaceOriginal,
          visibility: message.visibility,
        },
        content: message.content,
      };
    case 'upload':
      return {
        target: {
          channel: message.channel,
          ...thread(message.thread),
          file: {
            filename: message.file.filename,
            title: message.file.title,
            ...(message.file.encoding ? { encoding: message.file.encoding } : {}),
          },
        },
        content: message.file.content,
      };
  }
}

function thread(ref: { key: string } | { ts: string } | undefined): Pick<Target, 'threadKey' | 'threadTs'> {
  if (!ref) return {};
  return 'key' in ref ? { threadKey: ref.key } : { threadTs: ref.ts };
}

function threadKeyOf(message: OutboundMessage): string | undefined {
  if (message.kind !== 'post' && message.kind !== 'upload') return undefined;
  return message.thread && 'key' in message.thread ? message.thread.key : undefined;
}

function join(key: string, kind: OutboundMessage['kind'], target: Target, content: unknown): OutboundMessage {
  const threadRef = target.threadKey
    ? { thread: { key: target.threadKey } }
    : target.threadTs
      ? { thread: { ts: target.threadTs } }
      : {};
  switch (kind) {
    case 'post':
      return {
        kind,
        key,
        channel: target.channel ?? '',
        content: content as MessageContent,
        ...threadRef,
        ...(target.pin ? { pin: true } : {}),
      };
    case 'ephemeral':
      return {
        kind,
        key,
        channel: target.channel ?? '',
        user: target.user ?? '',
        content: content as MessageContent,
      };
    case 'respond':
      return {
        kind,
        key,
        responseUrl: target.responseUrl ?? '',
        content: content as MessageContent,
        replaceOriginal: target.replaceOriginal ?? false,
        visibility: target.visibility ?? 'ephemeral',
      };
    case 'upload':
      return {
        kind,
        key,
        channel: target.channel ?? '',
        ...threadRef,
        file: {
          filename: target.file?.filename ?? 'output.txt',
          title: target.file?.title ?? '',
          content: typeof content === 'string' ? content : '',
          ...(target.file?.encoding ? { encoding: target.file.encoding } : {}),
        },
      };
  }
}

function toStored(row: Record<string, unknown>): StoredMessage {
  const kind = row.kind as OutboundMessage['kind'];
  const message = join(String(row.key), kind, row.target as Target, row.content);
  if (message.kind === 'post') message.minUpdateIntervalMs = row.min_update_interval_ms as number;
  return {
    id: String(row.id),
    message,
    version: row.version as number,
    deliveredVersion: row.delivered_version as number,
    status: row.status as StoredMessage['status'],
    ts: (row.ts as string | null) ?? undefined,
    postedChannel: (row.posted_channel as string | null) ?? undefined,
    requester: (row.requester as Requester | null) ?? undefined,
    attempts: row.attempts as number,
    nextAttemptAt: row.next_attempt_at as Date,
    lastSentAt: (row.last_sent_at as Date | null) ?? undefined,
    minUpdateIntervalMs: row.min_update_interval_ms as number,
    createdAt: row.created_at as Date,
  };
}
