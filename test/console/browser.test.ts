import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_ACTIONS } from '../../src/slack/render/incident.ts';
import { openByAlert } from '../support/alerts.ts';
import { type Browser, launchChromium, screenshot, signInInBrowser } from '../support/browser.ts';
import { type ConsoleHarness, OUTSIDER, startConsoleHarness } from '../support/console-harness.ts';
import { eventually } from '../support/eventually.ts';
import { LOGIN_FIELD } from '../support/oidc-issuer.ts';
import { clickAction, ONCALL, VIEWER } from '../support/slack-harness.ts';

// The web console as people use it: headless Chromium (Debian's, through playwright-core) against
// fleetbot as deployed, signed in through a local OpenID Connect issuer playing Slack. Incidents are
// made the real way (an alert, a checklist tick in Slack). Screenshots land in test-artifacts/.

const TOKEN = 'alerts-token-0000fakefakefake0000';
const ALERTS_CHANNEL = 'C0000ALERTS';
let h: ConsoleHarness;
let chromium: Browser;
let api: number;
let redis: number;

beforeAll(async () => {
  h = await startConsoleHarness({
    env: { ALERTS_TOKEN: TOKEN },
    yaml: `channels: { alerts: ${ALERTS_CHANNEL} }\nalerts: { incidentChannel: [], groupWindow: 0s }\nmaintenance: { notices: [] }`,
  });
  api = await openByAlert(h.fleetbot, TOKEN, {
    title: 'fleet-api 5xx above 5%',
    severity: 'P2',
    service: 'api',
  });
  redis = await openByAlert(h.fleetbot, TOKEN, {
    title: 'Redis memory above 90%',
    severity: 'P3',
    service: 'redis',
  });
  // The on-call engineer ticks "Severity assessed" on the incident's checklist in Slack.
  const tick = await clickAction(h.fleetbot, ONCALL, ALERTS_CHANNEL, {
    type: 'checkboxes',
    action_id: `${INCIDENT_ACTIONS.check}.during`,
    selected_options: [{ value: `${api} during.severity` }],
    initial_options: [],
  });
  expect(tick.status).toBe(200);
  await eventually(
    async () =>
      (
        await h.fleetbot.db.query(
          "SELECT checklist ? 'during.severity' AS ticked FROM incidents WHERE id = $1",
          [api],
        )
      ).rows[0]?.ticked === true,
    10_000,
    'the tick',
  );
  chromium = await launchChromium();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await h?.close();
});

describe('the web console in a browser', () => {
  it('lists incidents, filters them, opens one with its timeline and checklists, and its post-mortem', async () => {
    const page = await chromium.page();
    await signInInBrowser(page, h.origin, ONCALL, '/console/incidents');
    expect(page.url()).toBe(`${h.origin}/console/incidents`);
    const rows = page.locator('table.incidents tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(page, 'console-incidents');

    await page.getByLabel('Text').fill('redis');
    await page.getByLabel('Status').selectOption('open');
    await Promise.all([page.waitForURL(/q=redis/), page.getByRole('button', { name: 'Filter' }).click()]);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(`INC-${redis}`);
    // The form shows the filters back, so the next change starts from them.
    expect(await page.getByLabel('Text').inputValue()).toBe('redis');

    await page.getByRole('link', { name: 'Clear' }).click();
    await Promise.all([
      page.waitForURL(`${h.origin}/console/incidents/${api}`),
      page.getByRole('link', { name: `INC-${api}` }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      `INC-${api} · fleet-api 5xx above 5%`,
    );
    const timeline = page.locator('ol.timeline li');
    expect(await timeline.count()).toBeGreaterThanOrEqual(2);
    expect(await timeline.first().textContent()).toContain('opened');
    const severityItem = page.locator('li.done', { hasText: 'Severity assessed' });
    expect(await severityItem.textContent()).toContain(`@${ONCALL}`);
    expect(await page.locator('li.todo', { hasText: 'Root cause found' }).count()).toBe(1);
    expect(await page.getByText('1 of 9 done').count()).toBe(1);
    await screenshot(page, 'console-incident');

    await Promise.all([
      page.waitForURL(`${h.origin}/console/incidents/${api}/postmortem`),
      page.getByRole('link', { name: 'Post-mortem draft' }).click(),
    ]);
    const article = page.locator('article.postmortem');
    expect(await article.locator('h1').textContent()).toContain(`INC-${api}`);
    expect(await article.locator('h2').allTextContents()).toEqual(
      expect.arrayContaining(['Summary', 'Timeline', 'Checklists', 'Root cause']),
    );
    await screenshot(page, 'console-postmortem');

    // The other sections, by their navigation links, as a person finds them.
    for (const [link, heading, shot] of [
      ['Overview', 'Overview', 'console-overview-oncall'],
      ['On-call', 'On-call', 'console-oncall'],
      ['Maintenance', 'Maintenance', 'console-maintenance'],
      ['Audit log', 'Audit log', 'console-audit'],
    ] as const) {
      await page.locator('nav[aria-label="Sections"]').getByRole('link', { name: link }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      await screenshot(page, shot);
    }
  });

  it('refuses a person signed in to another workspace', async () => {
    const page = await chromium.page();
    // Signed out of the console and of the issuer: the next person signs in afresh.
    await page.context().clearCookies();
    await page.goto(`${h.origin}/console/`);
    await page.locator(`input[name="${LOGIN_FIELD}"]`).fill(OUTSIDER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/not a member/i);
    const context = page.context();
    expect((await context.cookies()).some((cookie) => cookie.name === 'fleetbot_session')).toBe(false);
  });

  it('does not show the audit log to a read-only person', async () => {
    const page = await chromium.page();
    await page.context().clearCookies();
    await signInInBrowser(page, h.origin, VIEWER, '/console/');
    expect(await page.locator('nav[aria-label="Sections"] li a').allTextContents()).toEqual([
      'Overview',
      'Incidents',
      'On-call',
      'Maintenance',
    ]);
    const answer = await page.goto(`${h.origin}/console/audit`);
    expect(answer?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toMatch(/operate or admin/);
  });
});
