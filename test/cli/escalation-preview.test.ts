import { describe, expect, it } from 'vitest';
import { runFleetbot } from '../support/cli-process.ts';

describe('fleetbot escalation preview', () => {
  it('says who is paged when for a P1 opened in the maintenance window (P1 is never held)', async () => {
    const run = await runFleetbot(['escalation', 'preview', 'P1', '--at', '2026-12-06 03:00']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('P1 (High) opened Sun, 2026-12-06, 03:00 America/New_York, nobody acknowledging:');
    expect(lines[1]).toMatch(
      /^ {2}\+0 s\s+Sun, 2026-12-06, 03:00 .* page On-Call Engineer, Engineering Manager — P1 incident opened$/,
    );
    expect(lines[2]).toContain('notify Team Lead — P1 incident (escalation rule: P0 or P1 incident)');
    expect(lines[3]).toMatch(/^ {2}\+15 min\s+.*03:15 .*not acknowledged within 15 min/);
  });

  it('holds a P3 opened on a Friday evening until Monday 09:00, and pages a flag’s role with it', async () => {
    const run = await runFleetbot([
      'escalation',
      'preview',
      'p3',
      '--at',
      '2026-11-27 18:30',
      '--flags',
      'database',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Mon, 2026-11-30, 09:00 America/New_York  page On-Call Engineer — P3 incident opened',
    );
    expect(run.stdout).toContain('notify Database Admin — flagged database');
  });

  it('refuses what it cannot read, saying what it expects (exit 2)', async () => {
    const severity = await runFleetbot(['escalation', 'preview', 'P7']);
    expect([severity.code, severity.stderr.trim()]).toEqual([
      2,
      'Which severity? One of P0, P1, P2, P3, got "P7".',
    ]);
    const flag = await runFleetbot(['escalation', 'preview', 'P2', '--flags', 'databse']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown flag databse');
    const at = await runFleetbot(['escalation', 'preview', 'P2', '--at', 'tomorrow']);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain('--at expects "YYYY-MM-DD HH:MM"');
  });
});
