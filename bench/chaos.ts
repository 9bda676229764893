/**
 * npm run chaos — the chaos suite (issue 18): CHAOS_KILLS kills (default 200) in environments of
 * CHAOS_KILLS_PER_ENV passes each (default 5), seeds CHAOS_FIRST… (default 1); odd seeds run the
 * `single` shape (`start` on embedded PostgreSQL), even seeds `scaled` (`web` ×2 + `worker` ×2 on
 * PostgreSQL and Redis). In each pass one process is killed with SIGKILL at a seeded moment of a
 * confirmed restart, a backup and an alert storm, then started again; the invariants are checked
 * from the outside (test/support/chaos.ts). A failing kill prints its seed: replay the environment
 * with CHAOS_FIRST=<seed> CHAOS_KILLS=<its passes>. CHAOS_LANES runs environments side by side.
 * Exits 1 when any check is not 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { createLogger } from '../src/logging/logger.ts';
import { type ChaosChecks, type ChaosKill, chaosEnvironment } from '../test/support/chaos.ts';
import { seedDemo, startPostgres15 } from '../test/support/postgres15.ts';
import { percentile } from './measure.ts';

const KILLS = Number(process.env.CHAOS_KILLS ?? 200);
const PER_ENV = Number(process.env.CHAOS_KILLS_PER_ENV ?? 5);
const FIRST = Number(process.env.CHAOS_FIRST ?? 1);
const LANES = Number(process.env.CHAOS_LANES ?? 1);

const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-chaos-pg-'));
const postgres = new EmbeddedPostgres({ dataDir, logger: createLogger({ level: 'warn' }) });
const postgresUrl = await postgres.start();
// The fleet's own database, for `db backup`: about 1.5 s of pg_dump, so kills land inside it.
const fleet = await startPostgres15();
await fleet.query('CREATE DATABASE fleetdb');
await seedDemo(fleet, 'fleetdb', 500_000);
const servers = { postgresUrl, fleetDatabaseUrl: fleet.urlFor('fleetdb') };
const kills: ChaosKill[] = [];
const began = performance.now();
// Environments run in CHAOS_LANES lanes side by side (default 1): lane n takes seeds FIRST+n,
// FIRST+n+LANES, … Recovery times then include the other lanes' load; the checks do not change.
const report = (seed: number) => (kill: ChaosKill) => {
  kills.push(kill);
  const bad = Object.entries(kill.checks).filter(([, n]) => n > 0);
  for (const finding of kill.findings) console.log(`  seed ${seed}.${kill.pass}: ${finding}`);
  console.log(
    `seed ${seed}.${kill.pass} (${kill.shape}): killed ${kill.killed} at ${kill.killAtMs} ms for ${kill.downForMs} ms · recovered in ${kill.recoverMs} ms (last: ${kill.waitedFor}) · latest step +${kill.maxLateMs} ms · ${kill.acceptedAlerts} alerts${kill.duplicatePosts ? ` · ${kill.duplicatePosts} duplicate post(s)` : ''}${bad.length ? ` · FAILED ${bad.map(([k, n]) => `${k}=${n}`).join(' ')}` : ''}`,
  );
};
let planned = 0;
const lane = async (first: number) => {
  for (let seed = first; planned < KILLS; seed += LANES) {
    const passes = Math.min(PER_ENV, KILLS - planned);
    planned += passes;
    await chaosEnvironment(servers, seed, passes, { onKill: report(seed) });
  }
};
try {
  await Promise.all(Array.from({ length: LANES }, (_, n) => lane(FIRST + n)));
} finally {
  await fleet.stop();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const names = Object.keys(kills[0]?.checks ?? {}) as (keyof ChaosChecks)[];
const byVictim = new Map<string, number>();
for (const kill of kills)
  byVictim.set(`${kill.shape} ${kill.killed}`, (byVictim.get(`${kill.shape} ${kill.killed}`) ?? 0) + 1);
const seeds = [...new Set(kills.map((kill) => kill.seed))].sort((a, b) => a - b);
console.log(
  `\n${kills.length} kills in ${seeds.length} environments (seeds ${seeds[0]}–${seeds.at(-1)}, ${Math.round((performance.now() - began) / 60_000)} min): ${[...byVictim].map(([k, n]) => `${k} ${n}`).join(', ')}\n`,
);
console.log('| check | total | kills with any |');
console.log('|---|---:|---:|');
for (const name of names) {
  const total = kills.reduce((sum, kill) => sum + kill.checks[name], 0);
  console.log(`| ${name} | ${total} | ${kills.filter((kill) => kill.checks[name] > 0).length} |`);
}
const posts = kills.reduce((sum, kill) => sum + kill.duplicatePosts, 0);
console.log(
  `| duplicate Slack posts (delivery crash window, documented) | ${posts} | ${kills.filter((k) => k.duplicatePosts > 0).length} |`,
);
console.log('\n| killed | kills | recovery p50 | recovery p99 | recovery max | latest step max |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const victim of [...byVictim.keys()].sort()) {
  const these = kills.filter((kill) => `${kill.shape} ${kill.killed}` === victim);
  const recover = these.map((kill) => kill.recoverMs);
  console.log(
    `| ${victim} | ${these.length} | ${percentile(recover, 0.5)} ms | ${percentile(recover, 0.99)} ms | ${Math.max(...recover)} ms | +${Math.max(...these.map((kill) => kill.maxLateMs))} ms |`,
  );
}
const late = kills.map((kill) => kill.maxLateMs);
console.log(
  `\nlatest escalation step per pass: p50 +${percentile(late, 0.5)} ms, max +${Math.max(...late)} ms`,
);
const failed = kills.filter((kill) => Object.values(kill.checks).some((n) => n > 0));
if (failed.length > 0) {
  console.log(`\nFAILED: ${failed.map((kill) => `seed ${kill.seed} pass ${kill.pass}`).join(', ')}`);
  process.exit(1);
}
