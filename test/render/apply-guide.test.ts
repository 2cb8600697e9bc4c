import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CacertsDelivery, DiscoveryScope, ExternalService, MeshCa, MeshCluster, MeshTopology, TlsOriginationMode } from '../../src';
import { shellBlocks, shellcheckFindings } from '../support/shellcheck';
import { bundleFile, tempDir, testMesh } from '../support/synth';

/**
 * Runs a README's commands in bash from the cluster's bundle directory, with kubectl, helm, istioctl and npx
 * replaced by stubs that record their arguments; returns one line per command run.
 */
function runGuide(bundleDir: string, secretsParent: string, env: NodeJS.ProcessEnv = {}): string[] {
  const bin = tempDir('guide-tools-');
  const log = path.join(bin, 'calls.log');
  for (const tool of ['kubectl', 'helm', 'istioctl', 'npx']) {
    fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${JSON.stringify(log)}\n`, { mode: 0o755 });
  }
  const script = shellBlocks(fs.readFileSync(path.join(bundleDir, 'README.md'), 'utf8')).replace(/<path to>/g, secretsParent);
  expect(shellcheckFindings(script, 'README.md')).toEqual([]);
  const scriptFile = path.join(bin, 'guide.sh');
  fs.writeFileSync(scriptFile, script);
  const run = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', scriptFile], {
    cwd: bundleDir, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, ...env },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return fs.readFileSync(log, 'utf8').trim().split('\n');
}

describe('a cluster README\'s commands', () => {
  const dir = tempDir();
  const { app, mesh } = testMesh({
    ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, requireExisting: false }),
  }, dir);
  new MeshCluster(mesh, 'east-1', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'west', { gateway: { address: '10.0.0.2' } });
  const bundleDir = () => {
    bundleFile(app, 'east-1/README.md'); // synthesizes once
    return path.join(app.bundlesOutdir, 'east-1');
  };

  test('name the cluster\'s kube context on every command, its name unless CTX_<CLUSTER> is set', () => {
    // WHEN the README's commands run as written, then with the context variable set
    const byDefault = runGuide(bundleDir(), path.dirname(app.secretsOutdir));
    const overridden = runGuide(bundleDir(), path.dirname(app.secretsOutdir), { CTX_EAST_1: 'prod-east' });

    // THEN each command that reaches a cluster names the context: never the shell's current one
    for (const [calls, context] of [[byDefault, 'east-1'], [overridden, 'prod-east']] as const) {
      expect(calls.map(c => c.split(' ').slice(0, 3).join(' '))).toEqual([
        `kubectl --context ${context}`,
        `kubectl --context ${context}`,
        'helm repo add',
        'helm repo update',
        'helm upgrade --install',
        'helm upgrade --install',
        'helm upgrade --install',
        `kubectl --context ${context}`,
        'npx cdk8s-istio-multicluster verify',
      ]);
      const reaching = calls.filter(c => !c.startsWith('helm repo') && !c.startsWith('npx'));
      expect(reaching.filter(c => !c.includes(` --context ${context} `) && !c.includes(` --kube-context ${context} `))).toEqual([]);
      // verify finds the context as these commands do (CTX_EAST_1, else the cluster's name): see its tests.
      expect(calls[calls.length - 1]).toBe('npx cdk8s-istio-multicluster verify expected-state.json');
    }
  });

  test('name files and directories that exist, from the bundle directory', () => {
    // GIVEN the commands as they ran
    const calls = runGuide(bundleDir(), path.dirname(app.secretsOutdir));

    // THEN every -k, -f and verify argument is there
    const paths = calls.flatMap(c => [...c.matchAll(/ (?:-k|-f|verify) (\S+)/g)].map(m => m[1]));
    expect(paths).toEqual(expect.arrayContaining(['ca', 'mesh', 'istio/istiod-values.yaml', 'expected-state.json']));
    expect(paths.length).toBeGreaterThanOrEqual(7);
    expect(paths.filter(p => !fs.existsSync(path.resolve(bundleDir(), p)))).toEqual([]);
    // The alternative to helm, commented out, names the context too.
    expect(fs.readFileSync(path.join(bundleDir(), 'README.md'), 'utf8'))
      .toContain('# or, instead of helm: istioctl install --context "$CTX_EAST_1" -f istio/istio-operator.yaml');
  });
});

test('a bundle with Gateway API objects installs their CRDs before the mesh layer, unless the cluster has them', () => {
  // GIVEN a multi-network mesh, whose primaries pin the other network's gateway with istio-remote Gateways
  const dir = tempDir();
  const { app, mesh } = testMesh({ topology: MeshTopology.MULTI_NETWORK }, dir);
  new MeshCluster(mesh, 'east', { network: 'n1', gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'west', { network: 'n2', gateway: { address: '10.0.1.1' } });
  bundleFile(app, 'east/README.md');

  // WHEN its README's commands run
  const calls = runGuide(path.join(app.bundlesOutdir, 'east'), path.dirname(app.secretsOutdir));

  // THEN the CRDs are looked for (the stub has them: nothing applied) just before the mesh layer
  const crd = calls.indexOf('kubectl --context east get crd gateways.gateway.networking.k8s.io');
  expect(crd).toBeGreaterThan(0);
  expect(calls[crd + 1]).toBe('kubectl --context east apply -k mesh');
  expect(bundleFile(app, 'east/README.md')).toContain('|| kubectl --context "$CTX_EAST" apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml');
});

test('a bundle without them does not', () => {
  const { app, mesh } = testMesh();
  new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  expect(bundleFile(app, 'east/README.md')).not.toContain('gateway.networking.k8s.io');
});

test('where istiod discovers only the mesh\'s namespaces, the README names the labels and labels a namespace it does not render', () => {
  // GIVEN a mesh whose istiods discover only its namespaces, with a revision
  const { app, mesh } = testMesh({ discovery: DiscoveryScope.MESH_NAMESPACES, injectionRevision: '1-30-3' });
  new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  const readme = bundleFile(app, 'east/README.md');

  // WHEN its commands run
  const calls = runGuide(path.join(app.bundlesOutdir, 'east'), path.dirname(app.secretsOutdir));

  // THEN the labels istiod selects are named, and the label command runs through the cluster's context
  expect(readme).toContain('discover only the namespaces labelled `istio.io/rev=1-30-3` or `istio-discovery=enabled`');
  expect(calls).toContain('kubectl --context east label namespace my-clients istio-discovery=enabled');
  // and a mesh that discovers every namespace says nothing of it
  const plain = testMesh();
  new MeshCluster(plain.mesh, 'east', { gateway: { address: '10.0.0.1' } });
  expect(bundleFile(plain.app, 'east/README.md')).not.toContain('istio-discovery');
});

test('the README creates the Secrets the proxies originate TLS with, where they read them, in the clusters that call', () => {
  // GIVEN a mesh whose east calls a bank through the egress gateway and a partner from two workloads, and whose west calls neither
  const { app, mesh } = testMesh();
  const east = new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'west', { gateway: { address: '10.0.0.2' } });
  const plainPort = [{ name: 'http', number: 80, targetPort: 443 }];
  new ExternalService(mesh, 'bank', { hosts: ['ledger.bank.example.com'], ports: plainPort, clusters: [east], egressGateway: true, tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client' } });
  new ExternalService(mesh, 'partner', {
    hosts: ['api.partner.example.com'], ports: plainPort, clusters: [east],
    tls: { mode: TlsOriginationMode.SIMPLE, credentialName: 'partner-ca', workloads: [{ namespace: 'shop', selector: { app: 'cart' } }, { namespace: 'billing', selector: { app: 'invoice' } }] },
  });
  // (TLS originated without a credential needs no Secret)
  new ExternalService(mesh, 'public', { hosts: ['api.example.com'], ports: plainPort, clusters: [east], tls: { mode: TlsOriginationMode.SIMPLE } });

  // WHEN east's commands run
  const readme = bundleFile(app, 'east/README.md');
  const calls = runGuide(path.join(app.bundlesOutdir, 'east'), path.dirname(app.secretsOutdir));

  // THEN each Secret is created once, through east's context, in the namespace that reads it, with the keys its mode needs
  expect(calls.filter(call => call.includes('create secret'))).toEqual([
    'kubectl --context east -n billing create secret generic partner-ca --from-file=cacert=partner-ca-cacert.pem',
    'kubectl --context east -n istio-system create secret generic ledger-client --from-file=cert=ledger-client-cert.pem --from-file=key=ledger-client-key.pem --from-file=cacert=ledger-client-cacert.pem',
    'kubectl --context east -n shop create secret generic partner-ca --from-file=cacert=partner-ca-cacert.pem',
  ]);
  expect(readme).toContain('**Client credentials.**');
  // and west, which calls neither, is told nothing of them
  expect(bundleFile(app, 'west/README.md')).not.toContain('create secret');
});

describe('the README\'s opening says why the order matters, for the cluster at hand', () => {
  const intro = (app: ReturnType<typeof testMesh>['app']) => bundleFile(app, 'east/README.md').split('\n\n')[1].replace(/\s+/g, ' ');

  test('with a CA: istiod reads cacerts at start, and the restart of the istiod the mesh installs (its revision\'s)', () => {
    const dir = tempDir();
    const { app, mesh } = testMesh({
      injectionRevision: 'canary',
      ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, requireExisting: false }),
    }, dir);
    new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
    expect(intro(app)).toContain('if istiod ran before `cacerts` was applied, restart it, then the workloads: '
      + '`kubectl --context "${CTX_EAST:-east}" -n istio-system rollout restart deployment istiod-canary`');
  });

  test('without one: nothing about cacerts', () => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
    expect(intro(app)).toBe('Generated by cdk8s-istio-multicluster. Apply the layers in this order, each once the previous one is ready: the mesh configuration needs Istio\'s CRDs.');
  });
});

test('an add-on a layer needs is said in that layer\'s row: an ExternalSecret for cacerts in the CA row, not the mesh row', () => {
  const dir = tempDir();
  const { app, mesh } = testMesh({
    ca: MeshCa.generate({
      keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, requireExisting: false,
      delivery: CacertsDelivery.externalSecret({ storeName: 'vault' }),
    }),
  }, dir);
  new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  const rows = bundleFile(app, 'east/README.md').split('\n').filter(l => /^\| [13] \|/.test(l));
  expect(rows[0]).toContain('(the External Secrets Operator must run in the cluster)');
  expect(rows[1]).toBe('| 3 | mesh | `mesh/` | namespaces, gateway, security, DNS, global services, routes, workloads |');
});
