/** Who is who: auth.test (the bot itself), users.info, usergroups.users.list and .update. */
import { fail, missingArgument, ok, stringArg } from './answers.ts';
import { BOT, TEAM } from './identity.ts';
import type { MethodHandler } from './method-handler.ts';

const authTest: MethodHandler = () =>
  ok({
    url: `https://${TEAM.domain}.slack.com/`,
    team: TEAM.name,
    user: BOT.name,
    team_id: TEAM.id,
    user_id: BOT.userId,
    bot_id: BOT.botId,
    is_enterprise_install: false,
  });

const usersInfo: MethodHandler = (args, { workspace }) => {
  const id = stringArg(args, 'user');
  if (!id) return missingArgument('user');
  const user = workspace.user(id);
  return user ? ok({ user }) : fail('user_not_found');
};

const usergroupMembers: MethodHandler = (args, { workspace }) => {
  const id = stringArg(args, 'usergroup');
  if (!id) return missingArgument('usergroup');
  const users = workspace.usergroupMembers(id);
  return users ? ok({ users }) : fail('no_such_subteam');
};

/** Replaces a group's members; Slack refuses an empty list (`no_users_provided`). */
const usergroupUpdate: MethodHandler = (args, { workspace }) => {
  const id = stringArg(args, 'usergroup');
  if (!id) return missingArgument('usergroup');
  const users = (stringArg(args, 'users') ?? '')
    .split(',')
    .map((user) => user.trim())
    .filter(Boolean);
  if (users.length === 0) return fail('no_users_provided');
  if (!workspace.usergroupMembers(id)) return fail('no_such_subteam');
  workspace.setUsergroup(id, users);
  return ok({ usergroup: { id, users, user_count: String(users.length) } });
};

export const directoryMethods: Record<string, MethodHandler> = {
  'usergroups.users.update': usergroupUpdate,
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupMembers,
};
