import type { WebClient } from '@slack/web-api';
import type { MessageContent } from '../domain/notifier.ts';
import { type SlackApi, SlackCallError, type SlackChannels, type SlackHome } from '../domain/slack-api.ts';
import { httpError, toSlackCallError } from './slack-errors.ts';

export interface SlackWebApiOptions {
  /** Built with `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true`: the delivery path retries. */
  client: WebClient;
  /** Deadline of a response_url post. @defaultValue 10 s */
  timeoutMs?: number;
}

/**
 * The Slack Web API and response_url posts, one attempt per call: every failure comes back as a
 * SlackCallError that says whether trying again can help and, for rate limits, after how long.
 */
export class SlackWebApi implements SlackApi, SlackChannels, SlackHome {
  private readonly client: WebClient;
  private readonly timeoutMs: number;

  constructor(options: SlackWebApiOptions) {
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async postMessage(args: { channel: string; content: MessageContent; threadTs?: string }) {
    const response = await this.call('chat.postMessage', args.channel, () =>
      this.client.chat.postMessage({
        channel: args.channel,
        text: args.content.text,
        ...blocks(args.content),
        ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
        unfurl_links: false,
      }),
    );
    return { ts: String(response.ts), channel: String(response.channel ?? args.channel) };
  }

  async updateMessage(args: { channel: string; ts: string; content: MessageContent }): Promise<void> {
    await this.call('chat.update', args.channel, () =>
      this.client.chat.update({
        channel: args.channel,
        ts: args.ts,
        text: args.content.text,
        ...blocks(args.content),
      }),
    );
  }

  async postEphemeral(args: { channel: string; user: string; content: MessageContent }): Promise<void> {
    await this.call('chat.postEphemeral', args.channel, () =>
      this.client.chat.postEphemeral({
        channel: args.channel,
        user: args.user,
        text: args.content.text,
        ...blocks(args.content),
      }),
    );
  }

  async respond(args: {
    responseUrl: string;
    content: MessageContent;
    replaceOriginal: boolean;
    visibility: 'ephemeral' | 'in_channel';
  }): Promise<void> {
    let response: Response;
    try {
      response = await fetch(args.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...args.content,
          replace_original: args.replaceOriginal,
          response_type: args.visibility,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      // fetch rejects with a bare "fetch failed"; the socket error is its cause.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new SlackCallError(
        `response_url: ${timedOut ? 'Slack did not answer in time' : `could not reach Slack (${cause?.code ?? cause?.message ?? (error as Error).message})`}.`,
        { reason: timedOut ? 'timeout' : 'network', retryable: true, cause: error },
      );
    }
    // The answer's body ("ok") is not needed; reading it lets the connection be reused.
    await response.text().catch(() => undefined);
    if (response.status === 404 || response.status === 410) {
      throw new SlackCallError('response_url: Slack no longer accepts answers to that request.', {
        reason: 'expired_url',
        retryable: false,
        hint: 'A response_url lives 30 minutes and takes 5 answers.',
        status: response.status,
      });
    }
    if (!response.ok) throw httpError('response_url', response.status);
  }

  async uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
    encoding?: 'base64';
  }): Promise<void> {
    const file = {
      channel_id: args.channel,
      filename: args.filename,
      title: args.title,
      // Binary files go as bytes (`file`); `content` is sent as UTF-8 text.
      ...(args.encoding === 'base64'
        ? { file: Buffer.from(args.content, 'base64') }
        : { content: args.content }),
    };
    await this.call('files.uploadV2', args.channel, () =>
      this.client.filesUploadV2(args.threadTs ? { ...file, thread_ts: args.threadTs } : file),
    );
  }

  async pin(args: { channel: string; ts: string }): Promise<void> {
    await this.call('pins.add', args.channel, () =>
      this.client.pins.add({ channel: args.channel, timestamp: args.ts }),
    ).catch((error: unknown) => {
      if (!(error instanceof SlackCallError && error.reason === 'already_pinned')) throw error;
    });
  }

  async createChannel(name: string): Promise<{ id: string }> {
    const response = await this.call('conversations.create', name, () =>
      this.client.conversations.create({ name, is_private: false }),
    );
    return { id: String(response.channel?.id) };
  }

  async invite(channel: string, users: readonly string[]): Promise<string[]> {
    let remaining = [...new Set(users)];
    // All or nothing at Slack: a refused user fails the call and names itself; invite the others again.
    for (let attempt = 0; attempt < 3 && remaining.length > 0; attempt++) {
      try {
        await this.client.conversations.invite({ channel, users: remaining.slice(0, 100).join(',') });
        return remaining.slice(0, 100);
      } catch (error) {
        const refused = new Set(
          ((error as { data?: { errors?: { user?: string }[] } }).data?.errors ?? []).flatMap((entry) =>
            entry.user ? [entry.user] : [],
          ),
        );
        if (refused.size === 0) throw toSlackCallError(error, 'conversations.invite', channel);
        remaining = remaining.filter((user) => !refused.has(user));
      }
    }
    return [];
  }

  async publishHome(userId: string, view: { type: 'home'; blocks: unknown[] }): Promise<void> {
    await this.call('views.publish', userId, () =>
      this.client.views.publish({ user_id: userId, view: view as never }),
    );
  }

  async setGroupMembers(group: string, users: readonly string[]): Promise<void> {
    await this.call('usergroups.users.update', group, () =>
      this.client.usergroups.users.update({ usergroup: group, users: users.join(',') }),
    );
  }

  private async call<T>(method: string, channel: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toSlackCallError(error, method, channel);
    }
  }
}

function blocks(content: MessageContent) {
  return content.blocks ? { blocks: content.blocks as never } : {};
}

/** Where no bot token is configured: every message fails at once, saying so, instead of waiting for Slack. */
export const unconfiguredSlackApi: SlackApi & SlackChannels & SlackHome = new Proxy(
  {} as SlackApi & SlackChannels & SlackHome,
  {
    get: () => async () => {
      throw new SlackCallError('Slack is not configured in this process.', {
        reason: 'not_configured',
        retryable: false,
        hint: 'Set SLACK_BOT_TOKEN (the Bot User OAuth Token of the app created with manifest.yml).',
      });
    },
  },
);
