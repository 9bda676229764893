// fleetbot's Kubernetes manifests (deploy/kubernetes), built by the real kubectl as `kubectl apply -k`
// would send them: each object against its kind's schema, every pod against the restricted Pod
// Security Standard, the Ingress against the routes fleetbot serves, and a client-side dry run of
// `kubectl apply -k` against the fake API server. Real: kubectl, the schemas. Fake: the API server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer, IEnvVar } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { ALERT_PATHS } from '../../src/handlers/alert-routes.ts';
import { CALLBACK_PATH, CONSOLE_PREFIX } from '../../src/handlers/console.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { kubectl, kubectlAvailable } from '../support/fake-kube/kubectl.ts';
import {
  containersOf,
  DEPLOY_DIR,
  idOf,
  ingressTakes,
  kustomize,
  type Manifest,
  podTemplates,
  restrictedViolations,
  schemaProblem,
  unknownFields,
} from './kube-manifests.ts';

const NAMESPACE = 'fleet-management';
const IMAGE = 'fleetappregistry.azurecr.io/fleetbot';
const SECRET = 'fleetbot-env';
/** What `kubectl apply -k` is pointed at: the two shapes, and the one-off copy between them. */
const KUSTOMIZATIONS = {
  single: 'overlays/single',
  scaled: 'overlays/scaled',
  copy: 'single-to-scaled',
} as const;
type Name = keyof typeof KUSTOMIZATIONS;

// Skipped only on a machine without kubectl, outside CI; under CI (whose machine has kubectl) a missing
// kubectl is an error, as in test/fake-kube/kubectl.test.ts.
const kubectlPresent = kubectlAvailable();
if (!kubectlPresent && process.env.CI === 'true') throw new Error('CI=true but kubectl is not installed');

describe.skipIf(!kubectlPresent)('deploy/kubernetes', () => {
  const built = {} as Record<Name, Manifest[]>;
  beforeAll(async () => {
    for (const [name, dir] of Object.entries(KUSTOMIZATIONS)) built[name as Name] = await kustomize(dir);
  });
  const all = () => Object.values(built).flat();
  const find = (name: Name, kind: string, objectName: string) => {
    const found = built[name].find((object) => object.kind === kind && object.metadata.name === objectName);
    if (!found) throw new Error(`${name}: no ${kind}/${objectName}`);
    return found;
  };
  const containerOf = (workload: Manifest): IContainer => workload.spec.template.spec.containers[0];
  const envOf = (container: IContainer, name: string) =>
    container.env?.find((env) => env.name === name)?.value;

  it('builds each shape with kubectl kustomize into exactly its objects', () => {
    const ids = (name: Name) => built[name].map(idOf).sort();
    const identity = [
      'ClusterRole/fleetbot-nodes',
      'ClusterRoleBinding/fleetbot-nodes',
      'Role/fleetbot',
      'RoleBinding/fleetbot',
      'ServiceAccount/fleetbot',
    ];
    expect(ids('single')).toEqual([...identity, 'Service/fleetbot', 'StatefulSet/fleetbot'].sort());
    expect(ids('scaled')).toEqual(
      [
        ...identity,
        'Deployment/fleetbot-web',
        'Deployment/fleetbot-worker',
        'HorizontalPodAutoscaler/fleetbot-web',
        'Ingress/fleetbot',
        'NetworkPolicy/fleetbot',
        'NetworkPolicy/fleetbot-web',
        'PersistentVolumeClaim/fleetbot-backups',
        'PodDisruptionBudget/fleetbot-web',
        'PodDisruptionBudget/fleetbot-worker',
        'Service/fleetbot-metrics',
        'Service/fleetbot-web',
        'ServiceMonitor/fleetbot',
      ].sort(),
    );
    expect(ids('copy')).toEqual(['Job/fleetbot-database-copy']);
  });

  it('validates every object against the Kubernetes API schema of its kind, unknown fields included', () => {
    const problems = all().flatMap((object) => {
      const invalid = schemaProblem(object);
      return [
        ...(invalid ? [`${idOf(object)}: ${invalid}`] : []),
        ...unknownFields(object).map((field) => `${idOf(object)}: unknown field ${field}`),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('catches what the API server would refuse: a wrong type, a missing field, an unknown field', () => {
    const statefulSet = structuredClone(find('single', 'StatefulSet', 'fleetbot'));
    expect(schemaProblem({ ...statefulSet, spec: { ...statefulSet.spec, replicas: 'one' } })).toMatch(
      /replicas/,
    );
    expect(schemaProblem({ ...statefulSet, spec: { ...statefulSet.spec, selector: undefined } })).toMatch(
      /selector/,
    );
    statefulSet.spec.template.spec.securityContex = {};
    expect(unknownFields(statefulSet)).toEqual(['spec.template.spec.securityContex']);
  });

  it('puts everything in fleet-management (the cluster-wide node reader aside)', () => {
    for (const object of all()) {
      if (object.kind.startsWith('Cluster')) expect(object.metadata.namespace, idOf(object)).toBeUndefined();
      else expect(object.metadata.namespace, idOf(object)).toBe(NAMESPACE);
    }
  });

  describe('every pod', () => {
    const pods = () => podTemplates(all());

    it('meets the restricted Pod Security Standard', () => {
      expect(pods().map((template) => template.id)).toEqual([
        'StatefulSet/fleetbot',
        'Deployment/fleetbot-web',
        'Deployment/fleetbot-worker',
        'Job/fleetbot-database-copy',
      ]);
      for (const { id, pod } of pods()) expect(restrictedViolations(pod), id).toEqual([]);
    });

    it('is refused by that check when it breaks a rule', () => {
      const pod = structuredClone(pods()[0]?.pod);
      if (!pod) throw new Error('no pod');
      const container = pod.containers[0] as IContainer;
      container.securityContext = {
        ...container.securityContext,
        allowPrivilegeEscalation: true,
        capabilities: {},
      };
      pod.securityContext = {
        ...pod.securityContext,
        runAsNonRoot: false,
        seccompProfile: { type: 'Unconfined' },
      };
      pod.hostNetwork = true;
      pod.volumes = [...(pod.volumes ?? []), { name: 'host', hostPath: { path: '/' } }];
      expect(restrictedViolations(pod)).toEqual([
        'hostNetwork is true',
        'volume host is hostPath',
        "the pod's seccomp profile is Unconfined",
        'container fleetbot may escalate privileges',
        'container fleetbot does not drop ALL capabilities',
        'container fleetbot may run as root',
        'container fleetbot has no RuntimeDefault or Localhost seccomp profile',
      ]);
    });

    it('has a read-only root and writes only where fleetbot writes: its data, its backups, /tmp', () => {
      const writable = Object.fromEntries(
        pods().map(({ id, pod }) => {
          const container = pod.containers[0] as IContainer;
          expect(container.securityContext?.readOnlyRootFilesystem, id).toBe(true);
          const mounts = (container.volumeMounts ?? []).filter((mount) => !mount.readOnly);
          return [id, mounts.map((mount) => mount.mountPath).sort()];
        }),
      );
      expect(writable).toEqual({
        'StatefulSet/fleetbot': ['/data', '/tmp'],
        'Deployment/fleetbot-web': ['/tmp'],
        'Deployment/fleetbot-worker': ['/data/backups', '/tmp'],
        'Job/fleetbot-database-copy': ['/data', '/tmp'],
      });
      for (const { id, pod } of pods()) {
        const tmp = pod.volumes?.find((volume) => volume.name === 'tmp');
        expect(tmp?.emptyDir, id).toEqual({});
      }
    });

    it('runs the release its kustomization names by tag, never latest', () => {
      const tags = new Set<string>();
      for (const { id, pod } of pods()) {
        for (const container of containersOf(pod)) {
          const [, repository, tag] = /^(.+):([\w][\w.-]{0,127})$/.exec(container.image ?? '') ?? [];
          expect(repository, `${id}: ${container.image}`).toBe(IMAGE);
          expect(tag, id).not.toBe('latest');
          expect(tag, id).toMatch(/^[0-9]/);
          tags.add(tag as string);
        }
      }
      // The copy must run the release the scaled shape will: it migrates the target to that schema.
      expect(tags.size).toBe(1);
    });

    it('gives a shutdown the time it takes: the drain, a stop at a safe point, the database', () => {
      for (const { id, pod } of pods()) {
        expect(pod.terminationGracePeriodSeconds, id).toBeGreaterThanOrEqual(20 + 5 + 15);
      }
    });

    it('asks for CPU and memory and is limited in both', () => {
      for (const { id, pod } of pods()) {
        for (const container of containersOf(pod)) {
          expect(Object.keys(container.resources?.requests ?? {}).sort(), id).toEqual(['cpu', 'memory']);
          expect(Object.keys(container.resources?.limits ?? {}).sort(), id).toEqual(['cpu', 'memory']);
        }
      }
    });

    it('reads fleetbot.yml from the ConfigMap and everything secret from the Secret, which it never creates', () => {
      const secretRefs = new Set<string>();
      for (const { id, pod } of pods()) {
        const container = pod.containers[0] as IContainer;
        expect(envOf(container, 'FLEETBOT_CONFIG'), id).toBe('/etc/fleetbot/fleetbot.yml');
        const config = pod.volumes?.find((volume) => volume.configMap)?.configMap?.name;
        expect(config, id).toBe('fleetbot-config');
        for (const ref of container.envFrom ?? []) secretRefs.add(ref.secretRef?.name ?? '');
        for (const env of container.env ?? []) {
          if (env.valueFrom?.secretKeyRef) secretRefs.add(env.valueFrom.secretKeyRef.name ?? '');
          expect(looksSecret(env), `${id}: ${env.name}`).toBe(false);
        }
        expect(
          pod.volumes?.some((volume) => volume.secret),
          id,
        ).toBe(false);
      }
      expect([...secretRefs]).toEqual([SECRET]);
      expect(all().filter((object) => object.kind === 'Secret')).toEqual([]);
      for (const dir of Object.values(KUSTOMIZATIONS)) {
        const kustomization = parse(readFileSync(join(DEPLOY_DIR, dir, 'kustomization.yaml'), 'utf8'));
        expect(kustomization.secretGenerator, dir).toBeUndefined();
      }
    });
  });

  describe('fleetbot in the cluster', () => {
    it('runs as the ServiceAccount of rbac.yaml, with its workload identity for Azure Monitor', () => {
      for (const name of ['single', 'scaled'] as const) {
        const account = find(name, 'ServiceAccount', 'fleetbot');
        expect(account.metadata.annotations['azure.workload.identity/client-id']).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
      }
      for (const { id, pod, labels } of podTemplates([...built.single, ...built.scaled])) {
        expect(pod.serviceAccountName, id).toBe('fleetbot');
        expect(labels['azure.workload.identity/use'], id).toBe('true');
      }
      // The copy reads a disk and writes a database: no Kubernetes API, no token.
      const copy = find('copy', 'Job', 'fleetbot-database-copy').spec.template.spec;
      expect(copy.automountServiceAccountToken).toBe(false);
    });

    it('probes /healthz and /readyz on the port fleetbot serves (PORT)', () => {
      for (const workload of [
        find('single', 'StatefulSet', 'fleetbot'),
        find('scaled', 'Deployment', 'fleetbot-web'),
        find('scaled', 'Deployment', 'fleetbot-worker'),
      ]) {
        const container = containerOf(workload);
        const http = container.ports?.find((port) => port.name === 'http');
        expect(String(http?.containerPort)).toBe(envOf(container, 'PORT'));
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      }
    });

    it('single: one `fleetbot start` with embedded PostgreSQL and its backups on a volume of its own', () => {
      const statefulSet = find('single', 'StatefulSet', 'fleetbot');
      const container = containerOf(statefulSet);
      expect(statefulSet.spec.replicas).toBe(1);
      expect(container.args).toEqual(['start']);
      expect(envOf(container, 'FLEETBOT_DATA_DIR')).toBe('/data');
      expect(envOf(container, 'FLEETBOT_BACKUP_DIR')).toMatch(/^\/data\//);
      expect(envOf(container, 'DATABASE_URL')).toBeUndefined();
      const [claim] = statefulSet.spec.volumeClaimTemplates;
      expect(container.volumeMounts?.find((mount) => mount.mountPath === '/data')?.name).toBe(
        claim.metadata.name,
      );
      expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
      const service = find('single', 'Service', 'fleetbot');
      expect(service.spec.type).toBe('ClusterIP');
      expect(service.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
      expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    });

    it('the copy reads the single shape’s disk and writes to DATABASE_URL from the Secret', () => {
      const job = find('copy', 'Job', 'fleetbot-database-copy');
      const container = containerOf(job);
      expect(container.args).toEqual(['database', 'copy', '--to', '$(TARGET_DATABASE_URL)']);
      expect(container.env?.find((env) => env.name === 'TARGET_DATABASE_URL')?.valueFrom).toEqual({
        secretKeyRef: { name: SECRET, key: 'DATABASE_URL' },
      });
      // Without the Secret's DATABASE_URL the source is the embedded database in FLEETBOT_DATA_DIR.
      expect(container.envFrom).toBeUndefined();
      expect(envOf(container, 'FLEETBOT_DATA_DIR')).toBe('/data');
      const statefulSet = find('single', 'StatefulSet', 'fleetbot');
      const claim = `${statefulSet.spec.volumeClaimTemplates[0].metadata.name}-${statefulSet.metadata.name}-0`;
      const data = job.spec.template.spec.volumes.find((volume: Manifest) => volume.name === 'data');
      expect(data.persistentVolumeClaim.claimName).toBe(claim);
      expect(job.spec.backoffLimit).toBe(0);
      // No Service of fleetbot's (metrics, web) takes the copy's pod as one of its endpoints.
      const podLabels = job.spec.template.metadata.labels;
      for (const service of [...built.single, ...built.scaled].filter(
        (object) => object.kind === 'Service',
      )) {
        const selects = Object.entries(service.spec.selector).every(
          ([key, value]) => podLabels[key] === value,
        );
        expect(selects, idOf(service)).toBe(false);
      }
    });

    it('scaled: web and worker on two pods or more, each with a disruption budget; web scales on CPU', () => {
      for (const [name, args] of [
        ['fleetbot-web', ['web']],
        ['fleetbot-worker', ['worker']],
      ] as const) {
        const deployment = find('scaled', 'Deployment', name);
        expect(containerOf(deployment).args).toEqual(args);
        expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
        const budget = find('scaled', 'PodDisruptionBudget', name);
        expect(budget.spec.selector).toEqual(deployment.spec.selector);
        expect(budget.spec.minAvailable).toBeGreaterThanOrEqual(1);
      }
      const autoscaler = find('scaled', 'HorizontalPodAutoscaler', 'fleetbot-web');
      expect(autoscaler.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'fleetbot-web',
      });
      expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(autoscaler.spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ]);
      // Every worker sees every backup of the fleet database, whichever worker took it.
      const backups = find('scaled', 'PersistentVolumeClaim', 'fleetbot-backups');
      expect(backups.spec.accessModes).toEqual(['ReadWriteMany']);
    });

    it('scaled: the Ingress serves Slack, the alert webhooks and the console over TLS, and nothing else', () => {
      const ingress = find('scaled', 'Ingress', 'fleetbot');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      const [rule] = ingress.spec.rules;
      expect(ingress.spec.tls).toEqual([{ hosts: [rule.host], secretName: 'fleetbot-tls' }]);
      const paths = rule.http.paths as { path: string; pathType: string; backend: Manifest }[];
      expect(paths.map(({ path, pathType }) => `${pathType} ${path}`)).toEqual([
        'Exact /slack/events',
        'Prefix /alerts',
        'Prefix /console',
      ]);
      const exposed = (path: string) => paths.some((candidate) => ingressTakes(candidate, path));
      for (const path of [
        '/slack/events',
        ...Object.values(ALERT_PATHS),
        `${CONSOLE_PREFIX}/`,
        `${CONSOLE_PREFIX}/incidents`,
        CALLBACK_PATH,
      ]) {
        expect(exposed(path), path).toBe(true);
      }
      for (const path of [
        '/metrics',
        '/healthz',
        '/readyz',
        '/',
        '/slack/events/x',
        '/alertsx',
        '/consolex',
      ]) {
        expect(exposed(path), path).toBe(false);
      }
      const service = find('scaled', 'Service', 'fleetbot-web');
      for (const { backend } of paths) {
        expect(backend.service).toEqual({ name: service.metadata.name, port: { name: 'http' } });
      }
      expect(service.spec.selector).toEqual(
        find('scaled', 'Deployment', 'fleetbot-web').spec.selector.matchLabels,
      );
    });

    it('scaled: Prometheus finds /metrics of every pod through a named metrics port (ServiceMonitor)', () => {
      const service = find('scaled', 'Service', 'fleetbot-metrics');
      const monitor = find('scaled', 'ServiceMonitor', 'fleetbot');
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      const port = service.spec.ports.find((candidate: Manifest) => candidate.name === 'metrics');
      expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      for (const name of ['fleetbot-web', 'fleetbot-worker']) {
        const deployment = find('scaled', 'Deployment', name);
        expect(deployment.spec.template.metadata.labels, name).toMatchObject(service.spec.selector);
        // fleetbot serves /metrics on its one HTTP port.
        const container = containerOf(deployment);
        expect(container.ports?.map((p) => p.name)).toContain(port.targetPort);
        expect(String(port.port)).toBe(envOf(container, 'PORT'));
      }
    });

    it('scaled: the network policy lets fleetbot reach DNS, HTTPS, PostgreSQL, Redis and the fleet API only', () => {
      const policy = find('scaled', 'NetworkPolicy', 'fleetbot');
      expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'fleetbot' });
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      const egress = (policy.spec.egress as Manifest[]).map((rule) => ({
        to: rule.to ?? 'anywhere',
        ports: rule.ports.map((port: Manifest) => `${port.protocol}/${port.port}`),
      }));
      expect(egress).toEqual([
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: ['UDP/53', 'TCP/53'],
        },
        { to: 'anywhere', ports: ['TCP/443'] },
        { to: 'anywhere', ports: ['TCP/5432'] },
        { to: 'anywhere', ports: ['TCP/6379', 'TCP/6380'] },
        { to: [{ podSelector: {} }], ports: ['TCP/3000'] },
      ]);
      const from = (rule: Manifest) =>
        rule.from.map((peer: Manifest) => peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      expect(policy.spec.ingress.map(from)).toEqual([['monitoring']]);
      const web = find('scaled', 'NetworkPolicy', 'fleetbot-web');
      expect(web.spec.podSelector).toEqual(find('scaled', 'Deployment', 'fleetbot-web').spec.selector);
      expect(web.spec.ingress.map(from)).toEqual([['ingress-nginx']]);
      for (const rule of [...policy.spec.ingress, ...web.spec.ingress]) {
        expect(rule.ports).toEqual([{ protocol: 'TCP', port: 'http' }]);
      }
    });
  });

  describe("fleetbot's Role", () => {
    const roleOf = (name: Name) =>
      find(name, 'Role', 'fleetbot').rules as {
        resources: string[];
        resourceNames?: string[];
        verbs: string[];
      }[];
    const config = loadConfig({ env: {} });

    it('is the one in rbac.yaml, in both shapes', () => {
      const file = readFileSync(join(DEPLOY_DIR, 'base', 'rbac.yaml'), 'utf8');
      const role = file
        .split(/^---$/m)
        .map((text) => parse(text) as Manifest)
        .find((doc) => doc.kind === 'Role');
      expect(roleOf('single')).toEqual(role?.rules);
      expect(roleOf('scaled')).toEqual(role?.rules);
    });

    it('may change only the configured workloads and Secrets, by name', () => {
      const workloads = Object.values(config.services)
        .map((service) => service.workload)
        .sort();
      for (const rule of roleOf('scaled').filter((r) => r.verbs.includes('patch'))) {
        const named = rule.resources.includes('secrets') ? [...config.secrets].sort() : workloads;
        expect(rule.resourceNames?.slice().sort(), rule.resources.join(',')).toEqual(named);
      }
    });

    it('never reads Secrets', () => {
      for (const rule of roleOf('scaled').filter((r) => r.resources.includes('secrets'))) {
        expect(rule.verbs).toEqual(['patch']);
      }
    });
  });

  describe('kubectl apply -k --dry-run=client', () => {
    let kube: FakeKube;
    beforeAll(async () => {
      kube = await startFakeKube({ seed: 'empty' });
    });
    afterAll(async () => {
      await kube.close();
    });

    it.each(Object.entries(KUSTOMIZATIONS))('accepts %s', async (name, dir) => {
      const result = await kubectl(kube, ['apply', '-k', join(DEPLOY_DIR, dir), '--dry-run=client']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const applied = result.stdout
        .trim()
        .split('\n')
        .map((line) => line.replace(/ created \(dry run\)$/, ''));
      expect(applied).toHaveLength(built[name as Name].length);
      // Nothing was written: a client-side dry run only reads.
      expect(kube.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    });
  });
});

/** Whether an env var's literal value looks like a credential: a token, or a URL with a password. */
function looksSecret(env: IEnvVar): boolean {
  return /^(xox[a-z]-|xapp-)|:\/\/[^/\s:@]*:[^@\s]+@/.test(env.value ?? '');
}
