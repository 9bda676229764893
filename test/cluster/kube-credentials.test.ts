import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { findKubeTarget } from '../../src/cluster/kubeconfig.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ClusterError } from '../../src/domain/cluster.ts';
import { captureLogs } from '../support/log-capture.ts';

// kubectl's ways of reaching an API server, against a real TLS server with its own CA: what the
// fake Kubernetes API (plain HTTP, no credentials) cannot show.

interface Seen {
  authorization: string | undefined;
  clientCert: string | undefined;
}

let dir: string;
let server: Server;
let url: string;
const seen: Seen[] = [];
const pem: Record<'ca' | 'client' | 'clientKey', string> = { ca: '', client: '', clientKey: '' };

/** `openssl` with these space-separated words (none of them contains a space). */
function openssl(words: string) {
  execFileSync('openssl', words.split(' '), { cwd: dir, stdio: 'ignore' });
}

/** NAME.key and NAME.crt: a CA valid for two days. */
function selfSignedCa(name: string, subject: string) {
  openssl(`req -x509 -newkey rsa:2048 -nodes -keyout ${name}.key -out ${name}.crt -subj ${subject} -days 2`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetbot-kube-tls-'));
  selfSignedCa('ca', '/CN=test-ca');
  for (const [name, subject, ext] of [
    ['server', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=fleetbot/O=fleet-operators', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(`req -newkey rsa:2048 -nodes -keyout ${name}.key -out ${name}.csr -subj ${subject}`);
    await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      `x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ${name}.crt -extfile ${name}.ext -days 2`,
    );
  }
  pem.ca = await readFile(join(dir, 'ca.crt'), 'utf8');
  pem.client = await readFile(join(dir, 'client.crt'), 'utf8');
  pem.clientKey = await readFile(join(dir, 'client.key'), 'utf8');
  server = createServer(
    {
      key: await readFile(join(dir, 'server.key')),
      cert: await readFile(join(dir, 'server.crt')),
      ca: pem.ca,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      const socket = request.socket as TLSSocket;
      const cn = socket.authorized ? socket.getPeerCertificate().subject?.CN : undefined;
      const peer = Array.isArray(cn) ? cn.join(',') : cn;
      seen.push({ authorization: request.headers.authorization, clientCert: peer });
      const status = request.headers.authorization === 'Bearer expired' ? 401 : 200;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(status === 200 ? { gitVersion: 'v1.32.4' } : { kind: 'Status', code: 401 }),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A kubeconfig with one context `test` on the TLS server, its CA given as data. */
async function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}) {
  const file = join(dir, `kubeconfig-${seen.length}-${Math.random().toString(36).slice(2)}`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'test',
    clusters: [
      { name: 'tls', cluster: { server: url, 'certificate-authority-data': b64(pem.ca), ...cluster } },
    ],
    users: [{ name: 'someone', user }],
    contexts: [{ name: 'test', context: { cluster: 'tls', user: 'someone' } }],
  };
  await writeFile(file, JSON.stringify(config)); // JSON is YAML
  return file;
}

/** The product's Cluster with that kubeconfig. */
function clusterWith(file: string) {
  return createKubeCluster({
    config: loadConfig({ env: { KUBECONFIG: file } }),
    logger: captureLogs('silent').logger,
    clock: systemClock,
    kubeconfigPath: file,
  });
}

/** GET /version through it; what the server saw of the caller. */
async function versionWith(file: string): Promise<Seen> {
  const before = seen.length;
  await clusterWith(file).version();
  return seen[before] as Seen;
}

describe('reaching the API server as kubectl does', () => {
  it('a bearer token, over TLS verified against the kubeconfig CA', async () => {
    expect(await versionWith(await kubeconfig({ token: 'abc123' }))).toEqual({
      authorization: 'Bearer abc123',
      clientCert: undefined,
    });
  });

  it('a client certificate and key, from files named relative to the kubeconfig, and as data', async () => {
    expect(
      await versionWith(await kubeconfig({ 'client-certificate': 'client.crt', 'client-key': 'client.key' })),
    ).toEqual({
      authorization: undefined,
      clientCert: 'fleetbot',
    });
    expect(
      await versionWith(
        await kubeconfig({
          'client-certificate-data': b64(pem.client),
          'client-key-data': b64(pem.clientKey),
        }),
      ),
    ).toEqual({ authorization: undefined, clientCert: 'fleetbot' });
  });

  it('refuses a server whose certificate the CA did not sign, unless insecure-skip-tls-verify', async () => {
    const other = join(dir, 'other-ca.crt');
    selfSignedCa('other-ca', '/CN=other');
    const wrongCa = await kubeconfig(
      { token: 't' },
      { 'certificate-authority-data': undefined, 'certificate-authority': other },
    );
    const error = await versionWith(wrongCa).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toContain('Cannot reach the Kubernetes API');
    const insecure = await kubeconfig(
      { token: 't' },
      { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true },
    );
    expect((await versionWith(insecure)).authorization).toBe('Bearer t');
  });

  it('an exec credential plugin (kubelogin on AKS): run once, its token reused until it expires', async () => {
    const count = join(dir, 'exec-count');
    await writeFile(count, '');
    const plugin = join(dir, 'plugin.mjs');
    await writeFile(
      plugin,
      `import { appendFileSync } from 'node:fs';
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
appendFileSync(${JSON.stringify(count)}, info.spec.interactive === false ? 'x' : '?');
console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
  status: { token: 'from-' + process.env.PLUGIN_TENANT, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }));`,
    );
    const file = await kubeconfig({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [plugin],
        env: [{ name: 'PLUGIN_TENANT', value: 'fleet' }],
        interactiveMode: 'Never',
      },
    });
    const cluster = clusterWith(file);
    const before = seen.length;
    await cluster.version();
    await cluster.version();
    expect(seen.slice(before).map((s) => s.authorization)).toEqual([
      'Bearer from-fleet',
      'Bearer from-fleet',
    ]);
    expect(await readFile(count, 'utf8')).toBe('x');
  });

  it('a failing exec plugin says which command failed and how to fix it', async () => {
    const file = await kubeconfig({
      exec: {
        command: 'kubelogin-not-installed',
        args: ['get-token'],
        installHint: 'Install kubelogin: az aks install-cli',
      },
    });
    const error = await versionWith(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toBe(
      "The kubeconfig's credential plugin `kubelogin-not-installed` failed: ENOENT",
    );
    expect((error as ClusterError).hint).toBe('Install kubelogin: az aks install-cli');
  });

  it('a 401 says the credentials were rejected and names the context', async () => {
    const error = await versionWith(await kubeconfig({ token: 'expired' })).catch((e: unknown) => e);
    expect((error as ClusterError).message).toBe(
      `The Kubernetes API at ${url} rejected fleetbot's credentials.`,
    );
    expect((error as ClusterError).hint).toContain('context "test"');
  });

  it('a legacy auth-provider goes through @kubernetes/client-node, which implements it', async () => {
    const file = await kubeconfig({
      'auth-provider': {
        name: 'azure',
        config: {
          'access-token': 'legacy-azure-token',
          'expires-on': String(Math.floor(Date.now() / 1000) + 3600),
        },
      },
    });
    expect((await versionWith(file)).authorization).toBe('Bearer legacy-azure-token');
  });
});

describe('finding the kubeconfig as kubectl does', () => {
  it('KUBECONFIG lists several files: merged, the first to name something wins; cluster.context overrides', async () => {
    const first = await kubeconfig({ token: 'first' });
    const second = join(dir, 'second');
    await writeFile(
      second,
      JSON.stringify({
        'current-context': 'other',
        clusters: [
          { name: 'tls', cluster: { server: 'https://ignored.example' } },
          { name: 'elsewhere', cluster: { server: 'https://elsewhere.example:6443' } },
        ],
        users: [{ name: 'someone', user: { token: 'ignored' } }],
        contexts: [{ name: 'other', context: { cluster: 'elsewhere', user: 'someone' } }],
      }),
    );
    const paths = `${first}:${second}`;
    expect(findKubeTarget({ kubeconfig: paths })).toMatchObject({
      context: 'test',
      server: url,
      user: { token: 'first' },
    });
    expect(findKubeTarget({ kubeconfig: paths, context: 'other' })).toMatchObject({
      context: 'other',
      server: 'https://elsewhere.example:6443',
    });
    expect(() => findKubeTarget({ kubeconfig: paths, context: 'nope' })).toThrow(
      'The kubeconfig has no context "nope".',
    );
  });

  it('in a pod: the service account token and CA, at the API service address', async () => {
    const root = join(dir, 'serviceaccount');
    execFileSync('mkdir', ['-p', root]);
    await writeFile(join(root, 'token'), 'sa-token\n');
    await writeFile(join(root, 'ca.crt'), pem.ca);
    const home = join(dir, 'nohome');
    const pod = {
      home,
      serviceHost: '127.0.0.1',
      servicePort: url.split(':').at(-1),
      serviceAccountRoot: root,
    };
    const target = findKubeTarget(pod);
    expect(target).toMatchObject({
      context: 'in-cluster',
      server: url,
      user: { tokenFile: join(root, 'token') },
    });
    expect(findKubeTarget({ home, serviceAccountRoot: root })).toBeUndefined();
  });

  it('a kubeconfig that is not one says which file and what is wrong', async () => {
    const file = join(dir, 'broken');
    await writeFile(file, 'clusters: [{ name: x, cluster: { insecure-skip-tls-verify: "yes" } }]\n');
    expect(() => findKubeTarget({ kubeconfig: file })).toThrow(`The kubeconfig ${file} is not valid:`);
  });
});
