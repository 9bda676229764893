import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { FleetbotError } from '../../src/domain/errors.ts';
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
    expect((await authorizer.check('U0000VIEWER', 'read')).allowed).toBe(true);
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
    for (const answer of answers) expect((answer as FleetbotError).hint).toBe('Try again in a few seconds.');
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
});
