import type { RolloutState, WorkloadRef } from '../domain/cluster.ts';
import type { ActionContext, ActionResult } from './action.ts';

/** How long a restart/scale/rollback waits for its rollout; kubectl's progress deadline is 10 min. */
export const ROLLOUT_WAIT_MS = 10 * 60_000;

/**
 * Waits for the rollout a change started, reporting `2/3 pods updated` as it
 * goes, and turns the end state into a result: done, stuck (with the pod
 * problem that explains it), or still going when the wait ran out.
 */
export async function followRollout(
  context: ActionContext,
  ref: WorkloadRef,
  what: { done: string; failed: string },
  signal: AbortSignal,
): Promise<Pick<ActionResult, 'status' | 'summary' | 'sections' | 'data'>> {
  const started = performance.now();
  let state: RolloutState;
  try {
    state = await context.cluster.waitForRollout(ref, {
      timeoutMs: ROLLOUT_WAIT_MS,
      signal,
      onProgress: (progress) =>
        context.progress({
          message: `${progress.updated}/${progress.desired} pods updated · ${progress.available}/${progress.desired} available`,
          fraction: progress.desired > 0 ? progress.updated / progress.desired : 0,
        }),
    });
  } catch (error) {
    if (!signal.aborted) throw error;
    return stoppedFollowing(context, ref, signal.reason);
  }
  const took = formatElapsed(performance.now() - started);
  const facts = rolloutFields(state);
  if (state.phase === 'complete') {
    return {
      status: 'ok',
      summary: `${what.done} in ${took} · ${state.available}/${state.desired} available`,
      sections: [{ fields: facts }],
      data: { rollout: state },
    };
  }
  const problem = state.problems[0];
  return {
    status: 'failed',
    summary:
      state.phase === 'failed'
        ? `${what.failed}: ${problem ? `pod ${problem.pod} ${problem.reason}${problem.message ? ` (${problem.message})` : ''}` : state.message}`
        : `${what.failed}: still not done after ${took} (${state.message})`,
    sections: [
      { fields: facts },
      {
        text:
          state.problems.length > 0
            ? `Pod problems:\n${state.problems.map((p) => `• ${p.pod}: ${p.reason} — ${p.message} (restarts ${p.restarts})`).join('\n')}`
            : 'Next: check `events` and `logs` for the new pods, or `rollback`.',
      },
    ],
    data: { rollout: state },
  };
}

/** How long the last look at a rollout may take once following it was stopped. */
const LAST_LOOK_MS = 3_000;

/**
 * The change was made and following its rollout stopped (shutdown, Ctrl-C, the action's deadline):
 * a safe point. The result says the change is in, with one last look at the rollout, instead of
 * calling an applied change "cancelled".
 */
async function stoppedFollowing(
  context: ActionContext,
  ref: WorkloadRef,
  reason: unknown,
): Promise<Pick<ActionResult, 'status' | 'summary' | 'sections' | 'data'>> {
  const why =
    reason instanceof Error && reason.name === 'ShutdownError'
      ? 'fleetbot was stopped'
      : reason instanceof Error && reason.name === 'TimeoutError'
        ? 'the wait ran out'
        : 'it was cancelled';
  const state = await context.cluster
    .rolloutStatus(ref, AbortSignal.timeout(LAST_LOOK_MS))
    .catch(() => undefined);
  return {
    status: state?.phase === 'complete' ? 'ok' : 'warning',
    summary: `${ref.name}: the change is applied; ${why} while following its rollout${state ? ` (${state.updated}/${state.desired} updated, ${state.available}/${state.desired} available)` : ''}`,
    sections: [
      ...(state ? [{ fields: rolloutFields(state) }] : []),
      { text: 'The rollout goes on without fleetbot: check it with `/fleet status`.' },
    ],
    data: { rollout: state ?? null, stoppedFollowing: true },
  };
}

function rolloutFields(state: RolloutState) {
  return [
    { label: 'Updated', value: `${state.updated}/${state.desired}` },
    { label: 'Available', value: `${state.available}/${state.desired}` },
    { label: 'Rollout', value: state.message },
  ];
}

export function formatElapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
