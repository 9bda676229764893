import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type Alert, type AlertSource, type ParseResult, parsers } from '../../src/alerts/index.ts';
import { clip, httpUrl, LinkList, MAX_ALERTS, MAX_URL } from '../../src/alerts/payload-kit.ts';
import { describeValue, formatPath, payloadErrorMap } from '../../src/alerts/problems.ts';
import { matchPodName, matchService, namesInText, serviceIdentities } from '../../src/alerts/services.ts';
import { VALID_ALERT_BODIES } from '../support/malformed-alerts.ts';
import { parsingRules, receivedAt } from './parsing-rules.ts';

// The rules every alert payload is read by, one at a time: what a sender gets back for each kind of
// input (the words of a 400, the alert it becomes), at the edges where an off-by-one would show.

function parse(source: AlertSource, body: unknown): ParseResult {
  return parsers[source](body, parsingRules, receivedAt);
}

function alertsOf(source: AlertSource, body: unknown): Alert[] {
  const result = parse(source, body);
  if (!result.ok) expect.fail(`expected ${source} payload to parse, got ${JSON.stringify(result.problems)}`);
  return result.alerts;
}

const generic = { title: 'Nightly backup failed', severity: 'high' };
const alertmanagerBody = VALID_ALERT_BODIES.alertmanager as { alerts: Record<string, unknown>[] };
const webhookAlert = alertmanagerBody.alerts[0] as Record<string, unknown>;

/** An Alertmanager webhook with one alert, changed by `change`. */
function webhook(change: Record<string, unknown>): Record<string, unknown> {
  return { ...alertmanagerBody, alerts: [{ ...webhookAlert, ...change }] };
}

describe('every parser', () => {
  it.each(['azure', 'alertmanager', 'generic'] as const)(
    'refuses %s bodies of no shape without throwing',
    (source) => {
      for (const body of [undefined, 'alerts', 42, true]) {
        expect(parse(source, body)).toMatchObject({ ok: false, problems: [{ path: '(top level)' }] });
      }
    },
  );

  it.each(['alertmanager', 'generic'] as const)(
    'refuses %s lists of more than 1000 alerts before reading any of them',
    (source) => {
      let reads = 0;
      const read = (value: string) => () => {
        reads += 1;
        return value;
      };
      const entry = Object.defineProperties(
        {},
        { status: { enumerable: true, get: read('firing') }, title: { enumerable: true, get: read('x') } },
      );
      const result = parse(source, { alerts: Array.from({ length: MAX_ALERTS + 1 }, () => entry) });
      expect(result).toEqual({
        ok: false,
        problems: [{ path: 'alerts', message: 'expected at most 1000 alerts in one request, got 1001' }],
      });
      expect(reads).toBe(0);
    },
  );

  it('takes exactly 1000 alerts in one request', () => {
    expect(alertsOf('generic', { alerts: Array.from({ length: MAX_ALERTS }, () => generic) })).toHaveLength(
      MAX_ALERTS,
    );
  });

  it('reports at most 20 problems, even for one object with 30 unknown keys', () => {
    const unknown = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`extra${index}`, 1]));
    const result = parse('generic', { ...generic, ...unknown });
    expect(!result.ok && result.problems).toHaveLength(20);
    expect(!result.ok && result.problems[0]).toEqual({ path: 'extra0', message: 'unknown key' });
  });
});

describe('what a sender is told', () => {
  it.each<[string, unknown, string]>([
    ['nothing', undefined, 'nothing'],
    ['null', null, 'null'],
    ['an empty list', [], 'an empty array'],
    ['a list of one', ['x'], 'an array of 1 item'],
    ['a list of two', ['x', 'y'], 'an array of 2 items'],
    ['an object', { a: 1 }, 'an object'],
    ['an empty text', '', 'an empty string'],
    ['a text of 60 characters, whole', 'x'.repeat(60), JSON.stringify('x'.repeat(60))],
    ['a longer text, cut', 'y'.repeat(61), `${JSON.stringify(`${'y'.repeat(40)}…`)} (61 characters)`],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['a bigint', 10n, '10'],
    ['a symbol', Symbol('s'), 'a symbol'],
    ['a function', () => 1, 'a function'],
  ])('describes %s', (_, value, described) => {
    expect(describeValue(value)).toBe(described);
  });

  it.each<[string, PropertyKey[], string]>([
    ['the top level', [], '(top level)'],
    ['object keys', ['data', 'essentials', 'severity'], 'data.essentials.severity'],
    [
      'list positions and odd keys',
      ['alerts', 3, 'labels', 'app.kubernetes.io/name'],
      'alerts[3].labels["app.kubernetes.io/name"]',
    ],
    ['a key of 100 characters, whole', ['k'.repeat(100)], 'k'.repeat(100)],
    ['a longer key, cut', ['k'.repeat(101)], `[${JSON.stringify(`${'k'.repeat(100)}…`)}]`],
    [
      'an odd key of 100 characters, whole',
      [`a.${'k'.repeat(98)}`],
      `[${JSON.stringify(`a.${'k'.repeat(98)}`)}]`,
    ],
  ])('writes the path of %s', (_, path, written) => {
    expect(formatPath(path)).toBe(written);
  });

  it.each<[string, z.ZodType, unknown, string]>([
    ['a choice of three', z.enum(['a', 'b', 'c']), 'pending', 'expected one of "a", "b", "c", got "pending"'],
    ['true or false', z.boolean(), 'yes', 'expected true or false, got "yes"'],
    ['null', z.null(), 0, 'expected null, got 0'],
    ['a record', z.record(z.string(), z.string()), [], 'expected an object, got an empty array'],
    ['a text too short', z.string().min(3), 'ab', 'expected at least 3 characters, got 2 characters'],
    ['a list too long', z.array(z.number()).max(1), [1, 2], 'expected at most 1 item, got 2 items'],
  ])('words %s the way a sender reads it', (_, schema, input, message) => {
    expect(schema.safeParse(input, { error: payloadErrorMap }).error?.issues[0]?.message).toBe(message);
  });

  it('names the URL it refused: whole up to 60 characters, cut and counted beyond', () => {
    const sixty = `ftp://ci.example.invalid/${'l'.repeat(35)}`;
    const problems = (url: unknown) => {
      const result = parse('generic', { ...generic, links: [{ url }] });
      return result.ok ? [] : result.problems;
    };
    expect(problems(sixty)).toEqual([
      {
        path: 'links[0].url',
        message: `expected an absolute http or https URL of at most 3000 characters, got ${JSON.stringify(sixty)}`,
      },
    ]);
    expect(problems(`${sixty}l`)[0]?.message).toBe(
      `expected an absolute http or https URL of at most 3000 characters, got ${JSON.stringify(`${sixty.slice(0, 40)}…`)} (61 characters)`,
    );
    expect(problems(42)).toEqual([
      { path: 'links[0].url', message: 'expected an http or https URL, got 42' },
    ]);
    const notAnObject = parse('generic', { ...generic, links: ['https://ci.example.invalid'] });
    expect(notAnObject).toEqual({
      ok: false,
      problems: [{ path: 'links[0]', message: 'expected an object, got "https://ci.example.invalid"' }],
    });
  });
});

describe('text and links kept on an alert', () => {
  it('keeps text of exactly the limit whole, and cuts longer text with "…" at the limit', () => {
    expect(clip('a'.repeat(300), 300)).toBe('a'.repeat(300));
    expect(clip('a'.repeat(301), 300)).toBe(`${'a'.repeat(299)}…`);
  });

  it.each([
    ['an emoji', '😀'],
    ['the first character past the BMP', '\u{10000}'],
    ['the last character of Unicode', '\u{10FFFF}'],
  ])('never cuts %s in half', (_, pair) => {
    expect(clip(`${'a'.repeat(298)}${pair}${'b'.repeat(10)}`, 300)).toBe(`${'a'.repeat(298)}…`);
  });

  it('cuts at the limit before characters of one code unit, however high', () => {
    expect(clip(`${'a'.repeat(298)}＃${'b'.repeat(10)}`, 300)).toBe(`${'a'.repeat(298)}＃…`);
  });

  it('takes http and https URLs of up to 3000 characters as sent and as normalised', () => {
    const base = 'http://fleet.example.invalid/';
    expect(httpUrl(`${base}${'p'.repeat(MAX_URL - base.length)}`)).toHaveLength(MAX_URL);
    expect(httpUrl(`${base}${'p'.repeat(MAX_URL - base.length + 1)}`)).toBeUndefined();
    // Longer as sent, shorter once normalised: the limit is on what was sent.
    expect(httpUrl(`${base}./${'p'.repeat(MAX_URL - base.length - 1)}`)).toBeUndefined();
    // Shorter as sent, longer once normalised (a space becomes %20): the limit is on the link too.
    const spaced = `${base}a b${'p'.repeat(MAX_URL - base.length - 4)}`;
    expect([spaced.length, httpUrl(spaced)]).toEqual([MAX_URL - 1, undefined]);
    expect(httpUrl('https://fleet.example.invalid/a b')).toBe('https://fleet.example.invalid/a%20b');
    expect(httpUrl('ftp://fleet.example.invalid/')).toBeUndefined();
  });

  it('keeps each link once, trimmed, at most 10', () => {
    const links = new LinkList()
      .add('Runbook', '  https://runbooks.example.invalid/api  ')
      .add('Runbook again', 'https://runbooks.example.invalid/api');
    for (let index = 0; index < 12; index += 1)
      links.add(`Page ${index}`, `https://pages.example.invalid/${index}`);
    const kept = links.toArray();
    expect(kept).toHaveLength(10);
    expect(kept[0]).toEqual({ label: 'Runbook', url: 'https://runbooks.example.invalid/api' });
    expect(kept[9]?.label).toBe('Page 8');
  });
});

describe('service names', () => {
  it('names a service by its key, aliases, workload and Service, each once', () => {
    expect(
      serviceIdentities({ api: { workload: 'fleet-api' }, web: { workload: 'web', service: 'web' } }),
    ).toEqual([
      { key: 'api', workload: 'fleet-api', names: ['api', 'fleet-api'] },
      { key: 'web', workload: 'web', names: ['web'] },
    ]);
  });

  it('trims names before matching them', () => {
    const services = parsingRules.services;
    expect(matchService(['  fleet-api  '], services)).toBe('api');
    expect(matchPodName('  fleet-api-7c9d8f6b5-w7t4m  ', services)).toBe('api');
  });

  it('gives a pod to the longest workload, in whatever order the services are configured', () => {
    const workerFirst = serviceIdentities({
      worker: { workload: 'fleet-api-worker' },
      api: { workload: 'fleet-api' },
    });
    expect(matchPodName('fleet-api-worker-7c9d8f6b5-w7t4m', workerFirst)).toBe('worker');
    expect(matchPodName('fleet-api-worker-0', workerFirst)).toBe('worker');
    expect(matchPodName('fleet-api-7c9d8f6b5-w7t4m', workerFirst)).toBe('api');
  });

  it.each<[string, string, string[]]>([
    ['one word', 'Api', ['api']],
    [
      'the runs of a dashed word, longest first',
      'fleet-api-5xx',
      ['fleet-api-5xx', 'fleet-api', 'api-5xx', 'fleet', 'api', '5xx'],
    ],
    ['words apart, whatever separates them', 'db,  cache!', ['db', 'cache']],
    ['no empty parts from doubled dashes', 'fleet--api-', ['fleet-api', 'fleet', 'api']],
  ])('finds the names in text: %s', (_, text, names) => {
    expect(namesInText(text)).toEqual(names);
  });

  it('looks at the first 8 parts of a long dashed word only', () => {
    const names = namesInText('a-b-c-d-e-f-g-h-i-j');
    expect(names[0]).toBe('a-b-c-d-e-f-g-h');
    expect(names).not.toContain('i');
    expect(names).toHaveLength(36);
  });
});

describe('severities', () => {
  it.each(['P4', 'P10', 'SP1', 'p1x', 'urgent'])('refuses a generic severity of %j', (severity) => {
    expect(parse('generic', { ...generic, severity })).toMatchObject({
      ok: false,
      problems: [{ path: 'severity' }],
    });
  });

  it('reads a priority with spaces around it', () => {
    expect(alertsOf('generic', { ...generic, severity: ' p1 ' })[0]?.severity).toBe('P1');
  });
});

describe('the generic format, in detail', () => {
  it('trims the service, the fingerprint and link labels', () => {
    const [alert] = alertsOf('generic', {
      ...generic,
      service: '  postgres ',
      fingerprint: '  backup:nightly  ',
      links: [{ label: '  Job log  ', url: 'http://ci.example.invalid/jobs/42' }],
    });
    expect(alert).toMatchObject({
      service: 'postgres',
      fingerprint: 'generic:backup:nightly',
      links: [{ label: 'Job log', url: 'http://ci.example.invalid/jobs/42' }],
    });
  });

  it('keeps a fingerprint stable across releases, and different per service', () => {
    const fingerprint = (body: Record<string, unknown>) => alertsOf('generic', body)[0]?.fingerprint;
    expect(fingerprint(generic)).toBe('generic:75c5e5bb467b9c2e');
    expect(fingerprint({ ...generic, service: 'api' })).not.toBe(
      fingerprint({ ...generic, service: 'frontend' }),
    );
  });

  it('takes 50 labels, an explicit status, an end at its very start, and has nothing to note', () => {
    const labels = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`label${index}`, 'x']));
    const result = parse('generic', {
      ...generic,
      labels,
      status: 'resolved',
      startsAt: '2025-06-12T14:00:00Z',
      endsAt: '2025-06-12T14:00:00Z',
    });
    expect(result).toMatchObject({ ok: true, notes: [] });
    const [alert] = result.ok ? result.alerts : [];
    expect(Object.keys(alert?.labels ?? {})).toHaveLength(50);
    expect(alert?.endsAt).toEqual(new Date('2025-06-12T14:00:00Z'));
    expect(alertsOf('generic', { ...generic, status: 'firing' })[0]?.status).toBe('firing');
  });
});

describe('the Alertmanager webhook, in detail', () => {
  const labels = { alertname: 'HighLatency', deployment: 'fleet-api', severity: 'warning' };

  it.each<[string, Record<string, string>, Record<string, string>, string]>([
    [
      'a summary that starts with the alert name',
      labels,
      { summary: 'HighLatency on fleet-api' },
      'HighLatency on fleet-api',
    ],
    ['a summary that does not', labels, { summary: 'p99 above 2 s' }, 'HighLatency: p99 above 2 s'],
    [
      'a summary that ends with it',
      labels,
      { summary: 'fleet-api has HighLatency' },
      'HighLatency: fleet-api has HighLatency',
    ],
    ['no summary', labels, {}, 'HighLatency'],
    ['no alert name', { deployment: 'fleet-api' }, { summary: 'p99 above 2 s' }, 'p99 above 2 s'],
    ['neither', { deployment: 'fleet-api' }, {}, 'Alertmanager alert'],
  ])('titles an alert with %s', (_, alertLabels, annotations, title) => {
    expect(alertsOf('alertmanager', webhook({ labels: alertLabels, annotations }))[0]?.title).toBe(title);
  });

  it('keeps the fingerprint of an alert without one stable across releases', () => {
    const unsorted = { severity: 'warning', alertname: 'HighLatency', deployment: 'fleet-api' };
    const [alert] = alertsOf('alertmanager', webhook({ fingerprint: undefined, labels: unsorted }));
    expect(alert?.fingerprint).toBe('alertmanager:41d364f12f5ccf7c');
  });

  it('notes one alert left out, in the singular, without a link when there is none', () => {
    const result = parse('alertmanager', { ...webhook({}), truncatedAlerts: 1, externalURL: undefined });
    expect(result.ok && result.notes).toEqual([
      'Alertmanager left out 1 alert of this group (truncatedAlerts)',
    ]);
  });
});
