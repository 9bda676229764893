import type { FileConfigInput } from './file-schema.ts';

/**
 * The runbook's values, written as fleetbot.yml would write them. fleetbot runs on these when
 * there is no fleetbot.yml, and a file is laid over them: mappings merge key by key, lists and
 * plain values replace. Keep in step with fleetbot.example.yml (a test compares the two).
 */
export const BUILT_IN_DEFAULTS: FileConfigInput = {
  cluster: {
    name: 'fleet-aks-cluster',
    resourceGroup: 'fleet-production-rg',
    namespace: 'fleet-management',
  },
  services: {
    api: {
      kind: 'Deployment',
      workload: 'fleet-api',
      container: 'fleet-api',
      service: 'fleet-api-service',
      port: 3000,
      healthPath: '/api/health',
      aliases: ['fleet-api'],
      replicas: { min: 1, max: 10 },
    },
    frontend: {
      kind: 'Deployment',
      workload: 'fleet-app',
      container: 'fleet-app',
      port: 80,
      aliases: ['app', 'fleet-app'],
      replicas: { min: 1, max: 10 },
    },
    postgres: {
      kind: 'StatefulSet',
      workload: 'fleet-postgres',
      container: 'fleet-postgres',
      service: 'fleet-postgres-service',
      port: 5432,
      aliases: ['db', 'database', 'fleet-postgres'],
      // One primary: the runbook's backup and restore exec into fleet-postgres-0.
      replicas: { min: 1, max: 1 },
      restart: {
        permission: 'admin',
        warning: 'The runbook: not recommended in production without a backup. Take one first.',
      },
    },
    redis: {
      kind: 'StatefulSet',
      workload: 'fleet-redis',
      container: 'fleet-redis',
      port: 6379,
      aliases: ['cache', 'fleet-redis'],
      replicas: { min: 1, max: 1 },
    },
  },
  severities: {
    P0: {
      name: 'Critical',
      description: 'System down, data loss',
      responseTime: '5m',
      // "Immediate (all hands)": everyone on the matrix except the CTO, who joins after 2h.
      page: ['oncall', 'teamLead', 'devopsLead', 'databaseAdmin', 'engineeringManager'],
      businessHoursOnly: false,
    },
    P1: {
      name: 'High',
      description: 'Major feature broken',
      responseTime: '15m',
      // "On-call + manager"; the team lead joins through the 0s escalation rule for P0/P1.
      page: ['oncall', 'engineeringManager'],
      businessHoursOnly: false,
    },
    P2: {
      name: 'Medium',
      description: 'Degraded performance',
      responseTime: '1h',
      page: ['oncall'],
      businessHoursOnly: false,
    },
    P3: {
      name: 'Low',
      description: 'Minor issue, workaround exists',
      responseTime: '4h',
      // "Next business day".
      page: ['oncall'],
      businessHoursOnly: true,
    },
  },
  businessHours: {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '09:00',
    end: '17:00',
    timezone: 'America/New_York',
  },
  roles: {
    oncall: {
      name: 'On-Call Engineer',
      responsibilities: 'First responder, initial triage',
      contact: 'Slack',
      slack: { users: [], groups: [] },
    },
    teamLead: {
      name: 'Team Lead',
      responsibilities: 'P0/P1 escalation, coordination',
      contact: 'Email/Slack',
      slack: { users: [], groups: [] },
    },
    devopsLead: {
      name: 'DevOps Lead',
      responsibilities: 'Infrastructure issues, AKS/Azure',
      contact: 'Email/Slack',
      slack: { users: [], groups: [] },
    },
    databaseAdmin: {
      name: 'Database Admin',
      responsibilities: 'Database performance, backups',
      contact: 'Email/Slack',
      slack: { users: [], groups: [] },
    },
    engineeringManager: {
      name: 'Engineering Manager',
      responsibilities: 'Executive updates, resource allocation',
      contact: 'Email/Phone',
      slack: { users: [], groups: [] },
    },
    cto: {
      name: 'CTO',
      responsibilities: 'Extended outages (>1 hour)',
      contact: 'Phone',
      slack: { users: [], groups: [] },
    },
  },
  escalation: {
    phases: { assessment: '5m', investigation: '30m', mitigation: '1h' },
    unacknowledged: ['teamLead'],
    rules: [
      { after: '0s', to: 'teamLead', severities: ['P0', 'P1'], when: ['P0 or P1 incident'] },
      {
        after: '30m',
        to: 'teamLead',
        severities: ['P0', 'P1', 'P2', 'P3'],
        when: [
          'Incident exceeds 30 minutes',
          'Unable to determine root cause',
          'Requires deployment or infrastructure changes',
        ],
      },
      {
        after: '1h',
        to: 'engineeringManager',
        severities: ['P0', 'P1', 'P2', 'P3'],
        when: [
          'Incident exceeds 1 hour',
          'Customer data at risk',
          'Requires vendor support',
          'Media/legal implications',
        ],
      },
      {
        // The matrix says ">1 hour" for the CTO; "When to escalate" says ">2 hours". The rule
        // follows the latter, the role's responsibilities keep the matrix's words.
        after: '2h',
        to: 'cto',
        severities: ['P0', 'P1', 'P2', 'P3'],
        when: [
          'Extended outage (>2 hours)',
          'Data breach or security incident',
          'Regulatory implications',
          'Executive customer impacted',
        ],
      },
    ],
  },
  permissions: {
    read: ['*'],
    operate: ['oncall', 'teamLead', 'devopsLead'],
    admin: ['teamLead', 'devopsLead', 'databaseAdmin'],
    drill: ['teamLead', 'devopsLead', 'engineeringManager'],
    twoPerson: [],
  },
  maintenance: {
    schedule: { week: 'first', day: 'sun' },
    start: '02:00',
    end: '06:00',
    timezone: 'America/New_York',
    notices: ['7d', '24h'],
    holdPaging: ['P2', 'P3'],
    approvers: ['engineeringManager'],
    extendedMonitoring: '4h',
  },
  secrets: ['fleet-api-secrets'],
  oncall: { rotations: {} },
  alerts: {
    severity: {
      azure: { Sev0: 'P0', Sev1: 'P1', Sev2: 'P2', Sev3: 'P3', Sev4: 'P3' },
      alertmanager: { critical: 'P1', warning: 'P2', info: 'P3' },
      fallback: 'P2',
    },
    groupWindow: '5m',
    autoResolve: true,
    incidentChannel: ['P0', 'P1'],
    postmortemReminder: '48h',
  },
  backups: {
    service: 'postgres',
    keep: 14,
    maxAge: '30d',
    verifyQuery:
      "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    requiredBeforeRestart: '24h',
  },
  metrics: {
    p95Threshold: '2s',
    defaultWindow: '1h',
  },
  environment: 'production',
  demo: {
    redisKeys: ['cache:*', 'session:*'],
    allowInProduction: false,
  },
  console: {
    sessionTtl: '12h',
    auditLog: ['operate', 'admin'],
  },
  channels: {
    allowed: [],
    alerts: '#fleet-alerts',
    incidentPrefix: 'inc-',
  },
};
