import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS, type PayloadProblem, parsers } from '../../src/alerts/index.ts';
import { MAX_BODY_BYTES } from '../../src/http/http-server.ts';
import { MALFORMED_ALERTS, VALID_ALERT_BODIES } from '../support/malformed-alerts.ts';
import { TOLD } from './malformed-problems.ts';
import { parsingRules, receivedAt } from './parsing-rules.ts';

// Hostile and broken payloads: each parser refuses them with problems at the right JSON path and
// never throws. The same table drives the HTTP tests (400, never 500), so each body is also parsed
// after a JSON round trip, as the route will see it.

function isAtOrUnder(problem: PayloadProblem, expected: string): boolean {
  return (
    problem.path === expected ||
    problem.path.startsWith(`${expected}.`) ||
    problem.path.startsWith(`${expected}[`)
  );
}

describe('malformed alert payloads', () => {
  it('has at least 50 rows, each name once', () => {
    expect(MALFORMED_ALERTS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(MALFORMED_ALERTS.map((row) => row.name)).size).toBe(MALFORMED_ALERTS.length);
  });

  it('fits every body in an HTTP request, so the routes can answer each with a 400', () => {
    const tooBig = MALFORMED_ALERTS.filter(
      ({ body }) => Buffer.byteLength(JSON.stringify(body)) > MAX_BODY_BYTES,
    );
    expect(tooBig.map((row) => row.name)).toEqual([]);
  });

  it.each(Object.entries(VALID_ALERT_BODIES))('starts from a %s body that parses', (route, body) => {
    const result = parsers[route as keyof typeof parsers](body, parsingRules, receivedAt);
    expect(result).toMatchObject({ ok: true });
  });

  it.each(MALFORMED_ALERTS)('refuses $name at $problemPath', ({ route, body, problemPath }) => {
    const asSent = JSON.parse(JSON.stringify(body)) as unknown;
    for (const input of [body, asSent]) {
      let result: ReturnType<(typeof parsers)[typeof route]> | undefined;
      expect(() => {
        result = parsers[route](input, parsingRules, receivedAt);
      }).not.toThrow();
      if (!result || result.ok)
        expect.fail(`expected ${route} to refuse the payload, got ${JSON.stringify(result)}`);
      expect(result.problems.length).toBeGreaterThan(0);
      expect(result.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS);
      for (const problem of result.problems) {
        expect(problem.message.trim()).not.toBe('');
        // Hostile input is echoed short, never whole.
        expect(problem.message.length).toBeLessThan(400);
        expect(problem.path.length).toBeLessThan(200);
      }
      expect(
        result.problems.some((problem) => isAtOrUnder(problem, problemPath)),
        `a problem at ${problemPath}, got ${JSON.stringify(result.problems)}`,
      ).toBe(true);
    }
  });

  it.each(MALFORMED_ALERTS)('tells the sender of $name exactly what is wrong', ({ name, route, body }) => {
    const told = TOLD[name];
    if (!told) expect.fail(`add what the sender of "${name}" is told to test/alerts/malformed-problems.ts`);
    expect(parsers[route](body, parsingRules, receivedAt)).toEqual({ ok: false, problems: told });
  });

  it('says what was expected and what was got', () => {
    const row = MALFORMED_ALERTS.find((candidate) => candidate.name === 'azure: unknown monitorCondition');
    const result = parsers.azure(row?.body, parsingRules, receivedAt);
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'data.essentials.monitorCondition', message: 'expected "Fired" or "Resolved", got "Open"' },
      ],
    });
  });

  it('suggests the key a misspelt generic field meant', () => {
    const row = MALFORMED_ALERTS.find((candidate) => candidate.name === 'generic: a misspelt key');
    const result = parsers.generic(row?.body, parsingRules, receivedAt);
    expect(result).toEqual({
      ok: false,
      problems: [{ path: 'sevrity', message: 'unknown key. Did you mean "severity"?' }],
    });
  });

  it('reports at most 20 problems for a payload with hundreds', () => {
    const body = { alerts: Array.from({ length: 300 }, () => ({ status: 'nope' })) };
    const result = parsers.alertmanager(body, parsingRules, receivedAt);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toHaveLength(MAX_PROBLEMS);
  });

  it('leaves Object.prototype alone', () => {
    for (const { route, body } of MALFORMED_ALERTS) parsers[route](body, parsingRules, receivedAt);
    const labels = JSON.parse('{"__proto__": {"polluted": "yes"}, "job": "backup"}') as unknown;
    const result = parsers.generic({ title: 'x', severity: 'low', labels }, parsingRules, receivedAt);
    expect(result.ok && result.alerts[0]?.labels).toEqual({ job: 'backup' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
