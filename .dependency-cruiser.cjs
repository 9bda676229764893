/**
 * fleetbot's layers, enforced in `npm test` (test/architecture.test.ts) and by `npm run arch`.
 *
 *   entry      cli.ts, cli/, main.ts (the composition root), wiring/ (parts of it a command needs alone)
 *   handlers/  Bolt listeners and HTTP routes: parse, authorise, hand to a use case, acknowledge
 *   services/  use cases (request / confirm an action, deliver a message, report a run)
 *   queue/jobs one handler per job of the catalog: load, call a service, end
 *   domain/    types, pure rules, the job catalog and the ports the services use
 *   alerts/    one pure parser per alert source: payload → normalised Alerts
 *   escalation/ the frozen escalation policy and its pure evaluator
 *   diagnose/  the runbook's troubleshooting cases: pure analysers over gathered evidence
 *   actions/   the runbook actions and their registry: a result from (context, params)
 *   web/       the web console's HTML: pure rendering of the read models (like slack/render/)
 *   adapters:  db/, cluster/, adapters/, queue/ (BullMQ), slack/ (Web API + Block Kit), http/, health/
 *   leaves:    config/, lib/, logging/
 */
const LAYER_OUTSIDE_ENTRY = '^src/(?!main\\.ts$|cli\\.ts$|cli/|wiring/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles: each module can be read (and loaded) after what it imports.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ holds types, pure rules and ports: it imports nothing of the app, and nothing that does I/O. The Kubernetes object types come from client-node, as `import type` only (test/architecture.test.ts checks that: the TypeScript 7 compiler has no API for dependency-cruiser to tell type-only imports apart).',
      from: { path: '^src/domain/' },
      to: {
        pathNot: [
          '^src/domain/',
          '^src/config/schema-kit\\.ts$',
          '(^|/)node_modules/zod/',
          '(^|/)node_modules/@kubernetes/client-node/',
        ],
      },
    },
    {
      name: 'pure-cores-stay-pure',
      severity: 'error',
      comment:
        'alerts/ (payload → Alerts), escalation/ (frozen policy → who is notified when) and diagnose/ (evidence → findings) are pure: no stores, queue, Slack, cluster or clock; the services and actions around them do the I/O.',
      from: { path: '^src/(alerts|escalation|diagnose)/' },
      to: { path: '^src/', pathNot: ['^src/(alerts|escalation|diagnose|domain|config|lib)/'] },
    },
    {
      name: 'leaves-import-no-app',
      severity: 'error',
      comment:
        'config/ and lib/ are leaves: anything may import them, they import no other part of fleetbot.',
      from: { path: '^src/(config|lib)/' },
      to: { path: '^src/', pathNot: ['^src/(config|lib)/'] },
    },
    {
      name: 'handlers-only-translate',
      severity: 'error',
      comment:
        'A handler parses, authorises, hands over to a use case and acknowledges: never the database, the cluster, Azure, the queue or the Slack Web API adapter.',
      from: { path: '^src/handlers/' },
      to: { path: '^src/(db|cluster|adapters|queue|health)/|^src/slack/web-api\\.ts$' },
    },
    {
      name: 'slack-is-an-adapter',
      severity: 'error',
      comment:
        'slack/ holds rendering and the Slack Web API adapter only: no use cases, listeners, jobs or stores.',
      from: { path: '^src/slack/' },
      to: { path: '^src/(services|handlers|queue|db|cluster|adapters|health|http)/|^src/main\\.ts$' },
    },
    {
      name: 'web-only-renders',
      severity: 'error',
      comment:
        "web/ turns the console read models into HTML: no use case (beyond the read models' types), listener, job, store, cluster or Slack.",
      from: { path: '^src/web/' },
      to: {
        path: '^src/(services|handlers|queue|db|cluster|adapters|http|health|cli|slack|actions)/|^src/main\\.ts$',
        pathNot: ['^src/services/console-views\\.ts$'],
      },
    },
    {
      name: 'services-use-ports',
      severity: 'error',
      comment:
        'Use cases reach stores, the queue, Slack and the cluster through the ports in domain/, wired by main.ts; of slack/ they use the renderers only.',
      from: { path: '^src/services/' },
      to: {
        path: '^src/(handlers|queue|db|cluster|adapters|http|health|cli)/|^src/main\\.ts$|^src/slack/(?!render/)',
      },
    },
    {
      name: 'actions-know-no-delivery',
      severity: 'error',
      comment:
        'An action returns a result; it knows nothing of Slack, the queue, the stores or who called it.',
      from: { path: '^src/actions/' },
      to: { path: '^src/(services|handlers|queue|db|slack|http|cli|adapters|cluster)/|^src/main\\.ts$' },
    },
    {
      name: 'queue-infrastructure-knows-no-use-case',
      severity: 'error',
      comment: 'Only the job handlers (queue/jobs/) call use cases; the queue itself carries jobs.',
      from: { path: '^src/queue/(?!jobs/)' },
      to: { path: '^src/(services|handlers|slack|actions)/' },
    },
    {
      name: 'adapters-wired-only-by-the-entry',
      severity: 'error',
      comment:
        'Stores, the Kubernetes client, Azure and the Slack Web API adapter are chosen and built by main.ts (and the CLI): the rest sees them through ports.',
      from: { path: LAYER_OUTSIDE_ENTRY, pathNot: ['^src/(db|cluster|adapters|health)/'] },
      to: { path: '^src/(db|cluster|adapters)/|^src/slack/web-api\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
