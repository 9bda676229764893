import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { PgIncidentStore } from '../../src/db/incident-store.ts';
import { PgMaintenanceStore } from '../../src/db/maintenance-store.ts';
import { readPingKey } from '../../src/domain/escalation-pings.ts';
import type { JobToQueue } from '../../src/domain/jobs.ts';
import type { Notifier, OutboundMessage } from '../../src/domain/notifier.ts';
import { Escalations } from '../../src/services/escalations.ts';
import { migratedTestDatabase } from '../support/databases.ts';
import { captureLogs } from '../support/log-capture.ts';

// An escalation check sends its pings, then locks the incident to record them. When the incident
// changes in between (resolved, acknowledged: its timer run is replaced), the pings have gone out
// all the same, so the timeline must say so, and the new run must count them done. The window is
// held open here by the notifier itself: the incident is resolved while the pings are being sent.

const NOW = new Date('2026-11-30T03:00:00Z');
const ONCALL = 'U0000ONCALL';
let database: Awaited<ReturnType<typeof migratedTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  database = await migratedTestDatabase();
  pool = database.pool;
}, 60_000);

afterAll(async () => {
  await database?.close();
});

it('records the pings a replaced run sent, marks them done on the new run, and plans nothing for the old', async () => {
  // The runbook's defaults: an empty fleetbot.yml.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fleetbot-replaced-')), 'fleetbot.yml');
  writeFileSync(file, '');
  const config = loadConfig({ file, env: {} });
  const store = new PgIncidentStore({ pool });
  const sent: OutboundMessage[][] = [];
  const queued: JobToQueue[] = [];
  let whileSending: (() => Promise<void>) | undefined;
  const notifier: Notifier = {
    send: async (message) => notifier.sendAll([message]),
    sendAll: async (messages) => {
      sent.push([...messages]);
      const during = whileSending;
      whileSending = undefined;
      await during?.();
    },
    update: async () => {},
  };
  const escalations = new Escalations({
    config,
    store,
    notifier,
    jobs: {
      enqueue: async () => 'job',
      enqueueAll: async (jobs) => {
        queued.push(...jobs);
        return jobs.map(() => 'job');
      },
    },
    clock: { now: () => NOW },
    logger: captureLogs().logger,
    groupMembers: async () => [],
    oncall: { peopleOf: async (roles) => roles.map(() => ({ users: [ONCALL], groups: [], via: 'config' })) },
    maintenance: new PgMaintenanceStore({ pool }),
  });

  const incident = await store.transaction((tx) =>
    tx.create({ title: 'fleet-api down', severity: 'P1', openedAt: NOW, openedBy: 'alert:azure' }),
  );
  const number = incident.number;
  // While the first check's pings go out, someone resolves the incident (its escalation is planned again).
  whileSending = async () => {
    await store.transaction((tx) =>
      tx.update(number, { status: 'resolved', resolved: { at: NOW, by: ONCALL } }),
    );
    await escalations.replan(number);
  };
  await escalations.replan(number);

  // The first check paged on-call (a DM and a mention in the thread per step due at the opening);
  // the replan after the resolution sent nothing.
  const pinged = (sent[0] ?? []).map((message) => readPingKey(number, message.key));
  const steps = pinged.flatMap((ping) => (ping?.route === 'thread' ? [ping.step] : []));
  expect(steps).toContain('page');
  expect(pinged).toContainEqual({ step: 'page', route: 'direct', user: ONCALL });
  expect(sent.slice(1).flat()).toEqual([]);

  const view = await store.view(number);
  const timeline = (
    await pool.query(
      "SELECT details FROM timeline_events WHERE incident_id = $1 AND kind = 'escalated' ORDER BY id",
      [number],
    )
  ).rows;
  expect(timeline.map((row) => row.details.step)).toEqual(steps);
  expect(timeline.every((row) => row.details.people.includes(ONCALL))).toBe(true);
  expect(view?.escalation?.done).toEqual(steps);
  // The record is the new run's: the old one queued no check of its own.
  expect(queued.filter((job) => job.name === 'escalation.check')).toEqual([]);
  expect(view?.escalation?.dueAt).toBeUndefined();
  // The incident's message follows (its version moved past the resolution's).
  expect(view?.version).toBeGreaterThan(2);
});
