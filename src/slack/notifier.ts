import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logging/logger.ts';
import type { SlackMessage } from './render/index.ts';
import { toSlackError } from './slack-errors.ts';

export interface NotifierOptions {
  client: WebClient;
  logger: Logger;
  /** Slack allows about one message per second per channel. @defaultValue 1000 */
  channelIntervalMs?: number;
}

/**
 * Every write fleetbot makes to Slack. Posts and updates to one channel are
 * spaced (Slack drops bursts), 429s wait for Retry-After (the WebClient's retry
 * policy), and Slack's error strings become errors that say what to fix.
 */
export class Notifier {
  private readonly client: WebClient;
  private readonly logger: Logger;
  private readonly interval: number;
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(options: NotifierOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.interval = options.channelIntervalMs ?? 1_000;
  }

  async post(
    channel: string,
    message: SlackMessage,
    options: { threadTs?: string } = {},
  ): Promise<{ ts: string; channel: string }> {
    const response = await this.paced(channel, 'chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
      }),
    );
    return { ts: String(response.ts), channel: String(response.channel ?? channel) };
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.paced(channel, 'chat.update', () =>
      this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }),
    );
  }

  async postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void> {
    await this.call('chat.postEphemeral', channel, () =>
      this.client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      }),
    );
  }

  /** Long output as a file in the thread (the 3-step external upload). */
  async upload(
    channel: string,
    threadTs: string | undefined,
    file: { filename: string; content: string; title: string },
  ): Promise<void> {
    await this.paced(channel, 'files.uploadV2', () =>
      this.client.filesUploadV2(
        threadTs
          ? {
              channel_id: channel,
              thread_ts: threadTs,
              filename: file.filename,
              title: file.title,
              content: file.content,
            }
          : { channel_id: channel, filename: file.filename, title: file.title, content: file.content },
      ),
    );
  }

  /** Replies through an interaction's response_url (works for ephemeral messages, replaceable). */
  async respond(
    responseUrl: string,
    message: SlackMessage & { replace_original?: boolean; response_type?: 'ephemeral' | 'in_channel' },
  ): Promise<void> {
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    if (!response.ok) {
      this.logger.warn(
        { status: response.status },
        'Slack refused a response_url message (expired after 30 min or used 5 times)',
      );
    }
  }

  private paced<T>(channel: string, method: string, send: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(channel) ?? Promise.resolve();
    const next = previous.then(async () => {
      const result = await this.call(method, channel, send);
      await new Promise((resolve) => setTimeout(resolve, this.interval));
      return result;
    });
    // The lane continues after a failure; only the caller of the failed call sees it.
    const lane = next.catch(() => undefined);
    this.lanes.set(channel, lane);
    void lane.then(() => {
      if (this.lanes.get(channel) === lane) this.lanes.delete(channel);
    });
    return next;
  }

  private async call<T>(method: string, channel: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toSlackError(error, method, channel);
    }
  }
}
