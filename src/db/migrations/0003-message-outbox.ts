/**
 * The delivery path: every Slack message fleetbot sends is a row here before it is a call to Slack.
 * `key` is the message's identity (a run's header, its result, a confirmation), so a retried job
 * records it once; `version` counts edits and `delivered_version` how far Slack has them; `ts` is
 * Slack's id of the posted message, which edits and thread replies need. A lease keeps two workers
 * from sending the same message at once.
 *
 * A destructive request's confirmation also keeps how it was classified, the words typed and where
 * to answer, so that nothing is parsed again when it is confirmed.
 */
export const sql = `
CREATE TABLE slack_messages (
  id                      bigserial   PRIMARY KEY,
  key                     text        NOT NULL UNIQUE,
  kind                    text        NOT NULL CHECK (kind IN ('post', 'ephemeral', 'respond', 'upload')),
  -- Where it goes: channel, user, response_url, thread, file name; the message without its content.
  target                  jsonb       NOT NULL,
  -- The latest content (an upload's file text until it is delivered).
  content                 jsonb,
  version                 integer     NOT NULL DEFAULT 1,
  delivered_version       integer     NOT NULL DEFAULT 0,
  status                  text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  requester               jsonb,
  ts                      text,
  posted_channel          text,
  min_update_interval_ms  integer     NOT NULL DEFAULT 1000,
  attempts                integer     NOT NULL DEFAULT 0,
  last_error              text,
  next_attempt_at         timestamptz NOT NULL,
  last_sent_at            timestamptz,
  lease_owner             text,
  lease_until             timestamptz,
  created_at              timestamptz NOT NULL,
  delivered_at            timestamptz
);
CREATE INDEX slack_messages_pending_idx ON slack_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX slack_messages_unsent_thread_idx ON slack_messages ((target->>'threadKey'), id)
  WHERE delivered_version = 0 AND status = 'pending';
CREATE INDEX slack_messages_created_idx ON slack_messages (created_at);

ALTER TABLE action_runs ADD COLUMN confirmation jsonb;
`;
