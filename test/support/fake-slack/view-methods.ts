/**
 * views.open and views.update. A trigger_id works once (`exchanged_trigger_id`) and, when minted by the
 * request builders, only for 3 s (`expired_trigger_id`): the two ways a slow or double-clicked handler
 * fails on Slack.
 */
import { fail, missingArgument, ok, type SlackAnswer, stringArg } from './answers.ts';
import { blockProblems, VIEW_BLOCK_LIMIT } from './block-kit-limits.ts';
import type { MethodHandler } from './method-handler.ts';
import { TRIGGER_LIFETIME_MS, triggerIssuedAt } from './trigger-ids.ts';

type Json = Record<string, unknown>;

/** The problems with a view, as the `[ERROR]` lines of an invalid_arguments answer. */
function viewProblems(view: unknown, expected: 'modal' | 'home' = 'modal'): string[] {
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    return ['[ERROR] missing required field: view'];
  }
  const { type, title, blocks } = view as Json;
  const problems: string[] = [];
  if (type !== expected) problems.push(`must be "${expected}" [json-pointer:/view/type]`);
  if (expected === 'modal' && (typeof title !== 'object' || title === null))
    problems.push('missing required field: title [json-pointer:/view]');
  if (!Array.isArray(blocks)) problems.push('missing required field: blocks [json-pointer:/view]');
  else
    problems.push(
      ...blockProblems(blocks, VIEW_BLOCK_LIMIT).map((p) =>
        p.replace('json-pointer:/', 'json-pointer:/view/'),
      ),
    );
  return problems.map((problem) => (problem.startsWith('[ERROR]') ? problem : `[ERROR] ${problem}`));
}

function invalidView(problems: string[]): SlackAnswer {
  return fail('invalid_arguments', { response_metadata: { messages: problems } });
}

const open: MethodHandler = (args, { views }) => {
  const triggerId = stringArg(args, 'trigger_id');
  if (!triggerId) return missingArgument('trigger_id');
  const issuedAt = triggerIssuedAt(triggerId);
  if (issuedAt !== undefined && Date.now() - issuedAt > TRIGGER_LIFETIME_MS)
    return fail('expired_trigger_id');
  const problems = viewProblems(args.view);
  if (problems.length > 0) return invalidView(problems);
  if (!views.exchange(triggerId)) return fail('exchanged_trigger_id');
  return ok({ view: views.open(args.view as Json) });
};

const update: MethodHandler = (args, { views }) => {
  const viewId = stringArg(args, 'view_id');
  const externalId = stringArg(args, 'external_id');
  if (!viewId && !externalId) return missingArgument('view_id');
  const current = views.find(viewId, externalId);
  if (!current) return fail('not_found');
  const hash = stringArg(args, 'hash');
  if (hash !== undefined && hash !== current.hash) return fail('hash_conflict');
  const problems = viewProblems(args.view);
  if (problems.length > 0) return invalidView(problems);
  return ok({ view: views.replace(current, args.view as Json) });
};

const publish: MethodHandler = (args, { views }) => {
  const userId = stringArg(args, 'user_id');
  if (!userId) return missingArgument('user_id');
  const problems = viewProblems(args.view, 'home');
  if (problems.length > 0) return invalidView(problems);
  return ok({ view: views.publish(userId, args.view as Json) });
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.update': update,
  'views.publish': publish,
};
