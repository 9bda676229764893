import { describe, expect, it } from 'vitest';
import {
  limitViolations,
  renderAccepted,
  renderDenied,
  renderError,
  renderProgress,
  type SlackMessage,
} from '../../../src/slack/render/index.ts';

function texts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => {
    if (block.type === 'section') return block.text ? [block.text.text] : [];
    if (block.type === 'context') return block.elements.flatMap((e) => ('text' in e ? [e.text] : []));
    return [];
  });
}

describe('renderProgress', () => {
  const startedAt = new Date('2026-11-26T14:02:00Z');

  it('shows what runs, who asked, the clock, and a bar from the fraction', () => {
    const message = renderProgress({
      title: 'Restarting fleet-api',
      requestedBy: 'U0DANA',
      startedAt,
      now: new Date(startedAt.getTime() + 41_000),
      progress: { message: '2/3 pods updated · 2/3 available', fraction: 2 / 3 },
    });
    expect(texts(message)).toEqual([
      '🔄 *Restarting fleet-api* · requested by <@U0DANA> · 00:41\n██████░░░░  2/3 pods updated · 2/3 available',
    ]);
    expect(message.text).toBe('🔄 Restarting fleet-api · 00:41 · 2/3 pods updated · 2/3 available');
    expect(limitViolations(message)).toEqual([]);
  });

  it('fills the bar only when done, and shows no bar without a fraction', () => {
    const at = (ms: number, progress?: { message: string; fraction?: number }) =>
      texts(
        renderProgress({
          title: 'Rolling back <fleet-api>',
          requestedBy: 'U0DANA',
          startedAt,
          now: new Date(startedAt.getTime() + ms),
          ...(progress ? { progress } : {}),
        }),
      )[0];
    expect(at(0, { message: 'waiting', fraction: 0 })).toContain('\n░░░░░░░░░░  waiting');
    expect(at(0, { message: 'done', fraction: 1 })).toContain('\n██████████  done');
    expect(at(0, { message: 'nearly', fraction: 0.99 })).toContain('\n█████████░  nearly');
    expect(at(3_725_000, { message: 'Restart requested; waiting for the rollout' })).toBe(
      '🔄 *Rolling back &lt;fleet-api&gt;* · requested by <@U0DANA> · 1:02:05\nRestart requested; waiting for the rollout',
    );
    expect(at(5_000)).toBe('🔄 *Rolling back &lt;fleet-api&gt;* · requested by <@U0DANA> · 00:05\nStarting…');
  });
});

describe('renderAccepted', () => {
  it('echoes the command it is running, and who asked', () => {
    const message = renderAccepted({
      action: 'logs',
      args: 'api --tail 200 --grep <error>',
      requestedBy: 'U0DANA',
    });
    expect(texts(message)).toEqual([
      '⏳ Running `/fleet logs api --tail 200 --grep &lt;error&gt;`…',
      'Requested by <@U0DANA>',
    ]);
    expect(limitViolations(message)).toEqual([]);
  });

  it('does not echo secret values typed on the command line', () => {
    const message = renderAccepted({
      action: 'env',
      args: 'api set DB_PASSWORD=hunter2 REDIS_URL=redis://:s3cret@cache:6379 LOG_LEVEL=debug',
      requestedBy: 'U0DANA',
    });
    const json = JSON.stringify(message);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('s3cret');
    expect(json).toContain('LOG_LEVEL=debug');
  });
});

describe('renderError', () => {
  it('says what went wrong, then what to do', () => {
    const message = renderError({
      message: 'The queue is unavailable <redis>.',
      hint: 'Try again in a minute; if it persists, page the on-call.',
    });
    expect(texts(message)).toEqual([
      '❌ The queue is unavailable &lt;redis&gt;.\nWhat to do: Try again in a minute; if it persists, page the on-call.',
    ]);
    expect(message.text).toBe(texts(message)[0]);
  });

  it('shows a labelled hint as it is, and no hint line without a hint', () => {
    expect(
      texts(
        renderError({
          message: 'Unknown service "apii".',
          hint: 'Known services: api (Deployment fleet-api).',
        }),
      ),
    ).toEqual(['❌ Unknown service "apii".\nKnown services: api (Deployment fleet-api).']);
    expect(texts(renderError({ message: 'Boom' }))).toEqual(['❌ Boom']);
  });
});

describe('renderDenied', () => {
  it('names the permission and the roles that grant it', () => {
    const message = renderDenied({
      action: 'restart',
      needed: 'operate',
      roles: ['On-Call Engineer', 'Team Lead'],
    });
    expect(texts(message)).toEqual([
      '🚫 You may not run `/fleet restart`: it needs the *operate* permission.\n' +
        'Granted by *On-Call Engineer* and *Team Lead*. Ask someone with one of these roles to run it, or an admin to give you one.',
    ]);
    expect(message.text).toBe('🚫 You may not run `/fleet restart`: it needs the *operate* permission.');
  });

  it('says so when no role grants it', () => {
    const [text] = texts(renderDenied({ action: 'secret', needed: 'admin', roles: [] }));
    expect(text).toContain('No role grants it yet');
  });
});
