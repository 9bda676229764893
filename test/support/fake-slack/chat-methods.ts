/** chat.postMessage, chat.update, chat.postEphemeral, chat.delete. */
import { fail, missingArgument, ok, type SlackAnswer, stringArg } from './answers.ts';
import { blockProblems, MESSAGE_BLOCK_LIMIT } from './block-kit-limits.ts';
import type { SlackArgs } from './call-log.ts';
import { BOT } from './identity.ts';
import { type MessageContent, messageObject } from './message-store.ts';
import type { MethodContext, MethodHandler } from './method-handler.ts';

/** chat.update's documented text limit ("cannot exceed 4,000 characters"). */
const UPDATE_TEXT_LIMIT = 4000;

/** The message content of the arguments, or the answer refusing it. */
function readContent(args: SlackArgs): MessageContent | SlackAnswer {
  const { blocks, attachments } = args;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) return fail('invalid_blocks_format');
    const problems = blockProblems(blocks, MESSAGE_BLOCK_LIMIT);
    if (problems.length > 0) {
      return fail('invalid_blocks', {
        errors: problems,
        response_metadata: { messages: problems.map((problem) => `[ERROR] ${problem}`) },
      });
    }
  }
  if (attachments !== undefined && !Array.isArray(attachments)) return fail('invalid_attachments');
  const text = stringArg(args, 'text') ?? '';
  if (
    text === '' &&
    !(blocks as unknown[] | undefined)?.length &&
    !(attachments as unknown[] | undefined)?.length
  ) {
    return fail('no_text');
  }
  return {
    text,
    ...(blocks !== undefined ? { blocks: blocks as unknown[] } : {}),
    ...(attachments !== undefined ? { attachments: attachments as unknown[] } : {}),
  };
}

const isAnswer = (value: MessageContent | SlackAnswer): value is SlackAnswer => 'ok' in value;

function channelId(args: SlackArgs, context: MethodContext): string | undefined {
  const reference = stringArg(args, 'channel');
  return reference === undefined ? undefined : context.workspace.channel(reference)?.id;
}

const postMessage: MethodHandler = (args, context) => {
  const channel = channelId(args, context);
  if (!channel) return fail('channel_not_found');
  const content = readContent(args);
  if (isAnswer(content)) return content;
  const message = context.messages.post(channel, content, stringArg(args, 'thread_ts'));
  return ok({ channel, ts: message.ts, message: messageObject(message) });
};

const update: MethodHandler = (args, context) => {
  const channel = channelId(args, context);
  if (!channel) return fail('channel_not_found');
  const ts = stringArg(args, 'ts');
  if (!ts) return missingArgument('ts');
  // Ephemeral messages are never stored, so updating one is message_not_found, as on Slack.
  const message = context.messages.find(channel, ts);
  if (!message) return fail('message_not_found');
  const content = readContent({
    text: message.text,
    blocks: message.blocks,
    attachments: message.attachments,
    ...args,
  });
  if (isAnswer(content)) return content;
  if (content.text.length > UPDATE_TEXT_LIMIT) return fail('msg_too_long');
  Object.assign(message, content, { edited: { user: BOT.userId, ts: context.messages.clock.next() } });
  return ok({ channel, ts, text: message.text, message: messageObject(message) });
};

const postEphemeral: MethodHandler = (args, context) => {
  const channel = channelId(args, context);
  if (!channel) return fail('channel_not_found');
  const user = stringArg(args, 'user');
  if (!user) return missingArgument('user');
  if (!context.workspace.user(user)) return fail('user_not_found');
  const content = readContent(args);
  if (isAnswer(content)) return content;
  return ok({ message_ts: context.messages.clock.next() });
};

const deleteMessage: MethodHandler = (args, context) => {
  const channel = channelId(args, context);
  if (!channel) return fail('channel_not_found');
  const ts = stringArg(args, 'ts');
  if (!ts) return missingArgument('ts');
  const message = context.messages.find(channel, ts);
  if (!message) return fail('message_not_found');
  context.messages.remove(message);
  return ok({ channel, ts });
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': deleteMessage,
};
