import { describe, expect, it } from 'vitest';
import { escalationKey, escalationKeyPrefix, readPingKey } from '../../src/domain/escalation-pings.ts';

describe('escalation ping keys', () => {
  it('are read back as the step and route they were built from, dotted step keys included', () => {
    const routes = [
      { route: 'direct', user: 'U0000LEAD' },
      { route: 'direct', user: 'W0000GRID' },
      { route: 'thread' },
      { route: 'here' },
    ] as const;
    for (const step of ['page', 'deadline.1', 'rule.0', 'x']) {
      for (const to of routes) {
        const key = escalationKey(1042, step, to);
        expect(key.startsWith(escalationKeyPrefix(1042))).toBe(true);
        expect(readPingKey(1042, key)).toEqual({ step, ...to });
      }
    }
  });

  it('spell out the incident, the step and whom the ping went to', () => {
    expect(escalationKey(7, 'deadline.1', { route: 'direct', user: 'U0000LEAD' })).toBe(
      'escalation.7.deadline.1.U0000LEAD',
    );
    expect(escalationKey(7, 'page', { route: 'thread' })).toBe('escalation.7.page.thread');
    expect(escalationKey(7, 'page', { route: 'here' })).toBe('escalation.7.page.here');
    expect(escalationKey(7, 'nudge.assessment')).toBe('escalation.7.nudge.assessment');
  });

  it('read nothing from a nudge, another incident, or anything else', () => {
    expect(readPingKey(7, escalationKey(7, 'nudge.assessment'))).toBeUndefined();
    expect(readPingKey(7, escalationKey(17, 'page', { route: 'thread' }))).toBeUndefined();
    expect(readPingKey(1, escalationKey(12, 'page', { route: 'thread' }))).toBeUndefined();
    expect(readPingKey(7, 'escalation.7.thread')).toBeUndefined();
    expect(readPingKey(7, 'escalation.7..thread')).toBeUndefined();
    expect(readPingKey(7, 'escalation.7.page.u0000lower')).toBeUndefined();
    expect(readPingKey(7, 'escalation.7.page.XU0000')).toBeUndefined();
    expect(readPingKey(7, 'escalation.7.page.U0000lead')).toBeUndefined();
    expect(readPingKey(7, 'escalation.7.page.U0000LEAD.')).toBeUndefined();
    expect(readPingKey(7, 'run.7.result')).toBeUndefined();
    expect(readPingKey(7, 'garbled')).toBeUndefined();
  });
});
