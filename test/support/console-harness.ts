import { TEAM } from './fake-slack/identity.ts';
import { freePort } from './net.ts';
import { type IssuerUser, type OidcIssuer, startOidcIssuer } from './oidc-issuer.ts';
import { DEVOPS, LEAD, ONCALL, type SlackHarness, startSlackHarness, VIEWER } from './slack-harness.ts';

/** The Slack app's OAuth credentials as the tests register them with the local issuer. */
export const CLIENT_ID = '0000000000.0000000000001';
export const CLIENT_SECRET = 'fake-client-secret-0000000000000000';
export const SESSION_SECRET = 'fake-session-secret-for-tests-0000000000000000';
/** The workspace fleetbot serves in these tests: the fake Slack's, read through auth.test. */
export const WORKSPACE = TEAM.id;
/** Someone signed in to Slack, but in another workspace. */
export const OUTSIDER = 'U0000OUTSIDE';
export const OTHER_WORKSPACE = 'T0000OTHER';

/** The harness's people, as Slack's identity describes them; OUTSIDER in another workspace. */
export const CONSOLE_USERS: Readonly<Record<string, IssuerUser>> = {
  [ONCALL]: { teamId: WORKSPACE, name: 'Olive Oncall' },
  [LEAD]: { teamId: WORKSPACE, name: 'Lee Lead' },
  [DEVOPS]: { teamId: WORKSPACE, name: 'Dev Ops' },
  [VIEWER]: { teamId: WORKSPACE, name: 'Vic Viewer' },
  [OUTSIDER]: { teamId: OTHER_WORKSPACE, name: 'Otto Outsider' },
};

export interface ConsoleHarness {
  /** fleetbot as deployed (real Postgres, queue, workers), with the fake Slack. */
  fleetbot: SlackHarness;
  /** The local issuer playing Slack's Sign in with Slack. */
  issuer: OidcIssuer;
  /** CONSOLE_URL: `http://127.0.0.1:PORT`, fleetbot's own address. */
  origin: string;
  close(): Promise<void>;
}

/**
 * fleetbot with its web console on, signing in through a local OpenID Connect issuer: the issuer
 * knows `users` (default CONSOLE_USERS) and has fleetbot registered with its callback URL.
 */
export async function startConsoleHarness(
  options: { users?: Readonly<Record<string, IssuerUser>>; env?: Record<string, string>; yaml?: string } = {},
): Promise<ConsoleHarness> {
  // CONSOLE_URL (and so the redirect URI the issuer registers) is known before fleetbot listens.
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const issuer = await startOidcIssuer({
    client: { id: CLIENT_ID, secret: CLIENT_SECRET, redirectUri: `${origin}/console/auth/callback` },
    users: options.users ?? CONSOLE_USERS,
  });
  let fleetbot: SlackHarness;
  try {
    fleetbot = await startSlackHarness(
      {
        PORT: String(port),
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        CONSOLE_SESSION_SECRET: SESSION_SECRET,
        CONSOLE_URL: origin,
        CONSOLE_OIDC_ISSUER: issuer.url,
        ...options.env,
      },
      options.yaml === undefined ? {} : { yaml: options.yaml },
    );
  } catch (error) {
    await issuer.close();
    throw error;
  }
  return {
    fleetbot,
    issuer,
    origin,
    async close() {
      await fleetbot.close();
      await issuer.close();
    },
  };
}
