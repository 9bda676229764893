/** conversations.info, conversations.create, conversations.invite, pins.add. */
import { booleanArg, fail, missingArgument, ok, stringArg } from './answers.ts';
import { BOT } from './identity.ts';
import type { MethodHandler } from './method-handler.ts';
import { conversationObject } from './workspace.ts';

/** Channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
const NAME = /^[a-z0-9_-]+$/;
const NAME_MAX = 80;

const info: MethodHandler = (args, { workspace }) => {
  const reference = stringArg(args, 'channel');
  if (!reference) return missingArgument('channel');
  const channel = workspace.channel(reference);
  return channel ? ok({ channel: conversationObject(channel) }) : fail('channel_not_found');
};

const create: MethodHandler = (args, { workspace }) => {
  const name = stringArg(args, 'name');
  if (!name) return fail('invalid_name_required');
  if (name.length > NAME_MAX) return fail('invalid_name_maxlength');
  if (!NAME.test(name)) return fail('invalid_name_specials');
  if (workspace.hasChannelNamed(name)) return fail('name_taken');
  const id = workspace.setChannel({ name, is_private: booleanArg(args, 'is_private') });
  const channel = workspace.channel(id);
  return channel ? ok({ channel: conversationObject(channel) }) : fail('channel_not_found');
};

/** All or nothing: one refused user fails the call, with a per-user `errors` list, and nobody is added. */
const invite: MethodHandler = (args, { workspace }) => {
  const reference = stringArg(args, 'channel');
  if (!reference) return missingArgument('channel');
  const channel = workspace.channel(reference);
  if (!channel) return fail('channel_not_found');
  const users = (stringArg(args, 'users') ?? '')
    .split(',')
    .map((user) => user.trim())
    .filter(Boolean);
  if (users.length === 0) return fail('no_user');
  const errors = users.flatMap((user) => {
    const error =
      user === BOT.userId
        ? 'cant_invite_self'
        : !workspace.user(user)
          ? 'user_not_found'
          : channel.members.has(user)
            ? 'already_in_channel'
            : undefined;
    return error ? [{ user, ok: false, error }] : [];
  });
  const first = errors[0];
  if (first) return fail(first.error, { errors });
  for (const user of users) channel.members.add(user);
  return ok({ channel: conversationObject(channel) });
};

/** Pins a message fleetbot can see; a second pin of the same message is `already_pinned`. */
const pin: MethodHandler = (args, { workspace, messages }) => {
  const reference = stringArg(args, 'channel');
  if (!reference) return missingArgument('channel');
  const timestamp = stringArg(args, 'timestamp');
  if (!timestamp) return fail('no_item_specified');
  const channel = workspace.channel(reference);
  if (!channel) return fail('channel_not_found');
  if (!messages.find(channel.id, timestamp)) return fail('message_not_found');
  if (channel.pinned.has(timestamp)) return fail('already_pinned');
  channel.pinned.add(timestamp);
  return ok({});
};

export const conversationMethods: Record<string, MethodHandler> = {
  'pins.add': pin,
  'conversations.info': info,
  'conversations.create': create,
  'conversations.invite': invite,
};
