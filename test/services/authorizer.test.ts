import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { loadConfig } from '../../src/config/index.ts';
import { Authorizer } from '../../src/services/authorizer.ts';
import { FakeClock } from '../support/clock.ts';
import { eventually } from '../support/eventually.ts';

async function configWithRoles() {
  const file = join(tmpdir(), `authorizer-${process.pid}-${Date.now()}.yml`);
  await writeFile(
    file,
    'roles:\n  oncall:\n    slack: { users: [U0000ONCALL] }\n  teamLead:\n    slack: { groups: [S0000LEADS] }\n',
  );
  return loadConfig({ file, env: {} });
}

describe('Authorizer', () => {
  it('names the roles that grant a permission, from users and user groups', async () => {
    const authorizer = new Authorizer({
      config: await configWithRoles(),
      clock: systemClock,
      groupMembers: async () => ['U0000LEAD'],
    });
    await authorizer.warm();
    expect(await authorizer.check('U0000ONCALL', 'operate')).toMatchObject({
      allowed: true,
      roles: ['oncall'],
    });
    expect(await authorizer.check('U0000LEAD', 'admin')).toMatchObject({
      allowed: true,
      roles: ['teamLead'],
    });
    const denied = await authorizer.check('U0000VIEWER', 'operate');
    expect(denied).toEqual({
      allowed: false,
      permission: 'operate',
      roles: [],
      granting: ['On-Call Engineer', 'Team Lead', 'DevOps Lead'],
    });
    expect(await authorizer.check('U0000VIEWER', 'read')).toEqual({
      allowed: true,
      permission: 'read',
      roles: [],
      granting: ['anyone in the workspace'],
    });
  });

  it("lists every permission a user's roles grant, from users and from groups", async () => {
    const authorizer = new Authorizer({
      config: await configWithRoles(),
      clock: systemClock,
      groupMembers: async () => ['U0000LEAD'],
    });
    await authorizer.warm();
    expect(await authorizer.permissionsOf('U0000ONCALL')).toEqual(['read', 'operate', 'respond']);
    expect(await authorizer.permissionsOf('U0000LEAD')).toEqual([
      'read',
      'operate',
      'admin',
      'respond',
      'drill',
    ]);
    expect(await authorizer.permissionsOf('U0000VIEWER')).toEqual(['read']);
  });

  it('never reads Slack on the acknowledgement path: a group not read yet is read once, behind the request', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const authorizer = new Authorizer({
      config: await configWithRoles(),
      clock: new FakeClock(),
      groupMembers: async () => {
        calls++;
        await new Promise<void>((resolve) => (release = resolve));
        return ['U0000LEAD'];
      },
    });
    // Slack was down at start: nothing in memory. Two requests arrive while the read hangs.
    const answers = await Promise.all([
      authorizer.check('U0000LEAD', 'admin').catch((error: unknown) => error),
      authorizer.check('U0000LEAD', 'admin').catch((error: unknown) => error),
    ]);
    for (const answer of answers) {
      expect(answer).toMatchObject({
        code: 'slack',
        message: expect.stringContaining('members of Slack user group S0000LEADS'),
        hint: 'Try again in a few seconds.',
      });
    }
    expect(calls).toBe(1);
    release();
    await eventually(
      async () => (await authorizer.check('U0000LEAD', 'admin').catch(() => undefined))?.allowed,
    );
    expect(calls).toBe(1);
  });

  it('answers from memory after warm(), and refreshes an expired group behind the request', async () => {
    const clock = new FakeClock();
    let members = ['U0000LEAD'];
    let calls = 0;
    let release: () => void = () => {};
    const authorizer = new Authorizer({
      config: await configWithRoles(),
      ttlMs: 60_000,
      clock,
      groupMembers: async () => {
        calls++;
        if (calls > 1) await new Promise<void>((resolve) => (release = resolve));
        return members;
      },
    });
    await authorizer.warm();
    expect(calls).toBe(1);
    expect((await authorizer.check('U0000LEAD', 'admin')).allowed).toBe(true);
    expect(calls).toBe(1);

    // The lead leaves the group; past the TTL the old answer is served while Slack is asked again.
    members = [];
    clock.advance(61_000);
    expect((await authorizer.check('U0000LEAD', 'admin')).allowed).toBe(true);
    expect(calls).toBe(2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await authorizer.check('U0000LEAD', 'admin')).allowed).toBe(false);
  });

  it.each([
    ['the default of 60 s', undefined, 60_000],
    ['a TTL of 5 s', 5_000, 5_000],
  ])('trusts a group it read for %s, then reads it again', async (_what, ttlMs, trusted) => {
    const clock = new FakeClock();
    let calls = 0;
    const authorizer = new Authorizer({
      config: await configWithRoles(),
      ...(ttlMs === undefined ? {} : { ttlMs }),
      clock,
      groupMembers: async () => {
        calls++;
        return ['U0000LEAD'];
      },
    });
    await authorizer.warm();
    clock.advance(trusted - 1);
    await authorizer.check('U0000LEAD', 'admin');
    expect(calls).toBe(1);
    clock.advance(1);
    await authorizer.check('U0000LEAD', 'admin');
    expect(calls).toBe(2);
  });
});
