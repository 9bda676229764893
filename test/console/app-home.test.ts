import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openByAlert } from '../support/alerts.ts';
import { seedDrill } from '../support/console-seed.ts';
import { eventually } from '../support/eventually.ts';
import { ONCALL, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../support/slack-harness.ts';
import { blockActionsBody, eventBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

const TOKEN = 'alerts-token-0000fakefakefake0000';
let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness(
    { ALERTS_TOKEN: TOKEN },
    {
      yaml: [
        'channels: { alerts: C0000ALERTS }',
        'alerts: { incidentChannel: [], groupWindow: 0s }',
        'maintenance: { notices: [] }',
        'oncall:',
        '  rotations:',
        `    primary: { role: oncall, members: [${ONCALL}], start: "2026-01-01", handoff: { every: weekly, day: mon, time: "09:00", timezone: UTC } }`,
      ].join('\n'),
    },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** The text of every block of a published Home tab, as one string. */
function homeText(user: string): string {
  return JSON.stringify(h.slack.home(user)?.blocks ?? []);
}

function openHome(user: string) {
  return postSigned(
    h.events,
    eventBody({
      type: 'app_home_opened',
      user,
      channel: 'D0000HOME',
      tab: 'home',
      event_ts: `${Date.now() / 1000}`,
    }),
    { secret: SIGNING_SECRET },
  );
}

describe('the App Home', () => {
  it('is published for the person who opens it, with the open incidents and their on-call shift', async () => {
    const number = await openByAlert(h, TOKEN, {
      title: 'Home: fleet-api 5xx',
      severity: 'P2',
      service: 'api',
    });
    expect((await openHome(ONCALL)).status).toBe(200);
    const published = await h.slack.waitFor('views.publish', (call) => call.args.user_id === ONCALL, 10_000);
    expect((published.args.view as { type: string }).type).toBe('home');
    await eventually(() => homeText(ONCALL).includes(`INC-${number}`), 10_000, 'the incident on the tab');
    const text = homeText(ONCALL);
    expect(text).toContain('You are on call now');
    expect(text).toContain('Home: fleet-api 5xx');
    expect(text).toMatch(/Open incident.*Health.*Who is on call/);
    expect(text).not.toContain('Last drill');
  });

  it('is published again when an incident changes, without being opened again', async () => {
    await openHome(ONCALL);
    await eventually(() => homeText(ONCALL).includes('Home: fleet-api 5xx'), 10_000, 'the first tab');
    const number = await openByAlert(h, TOKEN, {
      title: 'Home: redis memory',
      severity: 'P1',
      service: 'redis',
    });
    await eventually(() => homeText(ONCALL).includes(`INC-${number}`), 30_000, 'the new incident on the tab');
  });

  it('shows the last drill report, and marks an open drill among the open incidents', async () => {
    const number = await openByAlert(h, TOKEN, {
      title: 'Home: postgres',
      severity: 'P3',
      service: 'postgres',
    });
    await seedDrill(h.db, { n: 1, openedAt: new Date(Date.now() - 86_400_000) });
    await seedDrill(h.db, { n: 2, openedAt: new Date(), running: true, policyOf: number });
    await openHome(ONCALL);
    await eventually(() => homeText(ONCALL).includes('Last drill'), 10_000, 'the last drill on the tab');
    const text = homeText(ONCALL);
    // The report's first part, as posted in the drill's thread.
    expect(text).toContain('*Drill report DRILL-1*');
    expect(text).toContain('started by <@U0000LEAD>, resolved by <@U0000ONCALL> after 6 min 0 s.');
    expect(text).toContain('Checklist: 3 of 9');
    expect(text).not.toContain('Escalation steps');
    expect(text).toContain('*DRILL-2* 🧪 DRILL · P1 · triggered');
  });

  it("lists the person's own actions once they ran, without the tab being opened again", async () => {
    const command = await postSigned(h.events, slashCommandBody({ text: 'status', user_id: ONCALL }), {
      secret: SIGNING_SECRET,
    });
    expect(command.status).toBe(200);
    await eventually(() => homeText(ONCALL).includes('`status'), 15_000, 'the run on the tab');
  });

  it('runs a button of the tab as the typed command, answering in the DM with fleetbot', async () => {
    const response = await postSigned(
      h.events,
      blockActionsBody({
        user: { id: ONCALL },
        channel: undefined,
        message: undefined,
        response_url: undefined,
        container: { type: 'view', view_id: 'V0000HOME' },
        view: { id: 'V0000HOME', type: 'home' },
        actions: [
          {
            type: 'button',
            action_id: 'result.run.home-oncall',
            block_id: 'home',
            value: 'oncall',
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      }),
      { secret: SIGNING_SECRET },
    );
    expect(response.status).toBe(200);
    // The DM is the command's whole answer, as typing `/fleet oncall` shows it (the person's DMs also
    // hold the incidents' pages): the rotation and who holds it.
    const dm = await h.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === ONCALL && call.args.text === 'Who is on call',
      10_000,
    );
    expect(JSON.stringify(dm.args.blocks)).toMatch(/primary.*On-Call Engineer.*<@U0000ONCALL> until/);
  });
});
