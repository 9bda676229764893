/** Messages the bot posted, as they stand after updates and deletes; ephemeral ones are not kept (nor on Slack). */
import { APP_ID, BOT, TEAM } from './identity.ts';
import { MessageClock } from './ids.ts';

export interface MessageContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface PostedMessage extends MessageContent {
  channel: string;
  ts: string;
  thread_ts?: string;
  edited?: { user: string; ts: string };
}

export class MessageStore {
  readonly posted: PostedMessage[] = [];
  readonly clock = new MessageClock();

  post(channel: string, content: MessageContent, threadTs: string | undefined): PostedMessage {
    const message: PostedMessage = {
      channel,
      ts: this.clock.next(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...content,
    };
    this.posted.push(message);
    return message;
  }

  find(channel: string, ts: string): PostedMessage | undefined {
    return this.posted.find((message) => message.channel === channel && message.ts === ts);
  }

  remove(message: PostedMessage): void {
    this.posted.splice(this.posted.indexOf(message), 1);
  }
}

/** The `message` object of Slack's answers, keys in the fixture's order (`chat-postMessage-response.json`). */
export function messageObject(message: PostedMessage): Record<string, unknown> {
  return {
    user: BOT.userId,
    type: 'message',
    ts: message.ts,
    bot_id: BOT.botId,
    app_id: APP_ID,
    text: message.text,
    team: TEAM.id,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.edited ? { edited: message.edited } : {}),
  };
}
