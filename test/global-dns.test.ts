import * as fs from 'fs';
import * as path from 'path';
import { CorefileForm, GlobalDns, GlobalService, MeshCluster } from '../src';
import { parseCorefile } from '../src/dns/corefile';
import { KUBEADM_COREFILE } from './support/fixtures';
import { bundleFile, objectsOf, synthOnce, tempDir, testMesh } from './support/synth';

/** httpbin served by cluster2, consumed by cluster1, whose DNS is `dns`. */
function withDns(dns?: GlobalDns) {
  const { app, mesh } = testMesh();
  const cluster1 = new MeshCluster(mesh, 'cluster1', { dns });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: '172.18.0.4' } });
  new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http', number: 8000 }], servedBy: [cluster2] });
  new GlobalService(mesh, 'echo', { namespace: 'bar', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] });
  return { app, objects: () => objectsOf(app, 'cluster1'), cluster1 };
}

describe('GlobalDns', () => {
  test('default: Istio DNS proxying, set in the install overlay, no DNS objects', () => {
    const { objects } = withDns();
    const all = objects();
    expect(all.get('IstioOperator/istio-system/cluster1')?.spec.meshConfig.defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } });
    expect([...all.keys()].filter(k => k.startsWith('ConfigMap/'))).toEqual([]);
  });

  test('coreDns: keeps the cluster\'s Corefile verbatim and appends a global:53 block forwarding to istiocoredns', () => {
    const { objects } = withDns(GlobalDns.coreDns({ corefile: KUBEADM_COREFILE, istioCoreDnsIp: '10.96.0.100' }));
    const corefile: string = objects().get('ConfigMap/kube-system/coredns')!.data!.Corefile;
    expect(corefile.startsWith(KUBEADM_COREFILE)).toBe(true);
    expect(corefile.slice(KUBEADM_COREFILE.length)).toBe('global:53 {\n    errors\n    cache 30\n    forward . 10.96.0.100:53\n}\n');
    expect(corefile).not.toMatch(/\bproxy\b/);
    expect(parseCorefile(corefile).map(b => b.keys)).toEqual([['.:53'], ['global:53']]);
  });

  test('coreDns can read the Corefile from a file and render istiocoredns too', () => {
    const file = path.join(tempDir(), 'Corefile');
    fs.writeFileSync(file, KUBEADM_COREFILE);
    const { objects } = withDns(GlobalDns.coreDns({ corefileFile: file, istioCoreDnsIp: '10.96.0.100', renderIstioCoreDns: true }));
    expect(objects().get('ConfigMap/kube-system/coredns')!.data!.Corefile.startsWith(KUBEADM_COREFILE)).toBe(true);
    expect(objects().get('Service/istio-system/istiocoredns')?.spec.clusterIP).toBe('10.96.0.100');
  });

  test('kubeDns: stubDomains for global, keeping existing stub domains and upstreams', () => {
    const { objects } = withDns(GlobalDns.kubeDns({
      istioCoreDnsIp: '10.96.0.100', existingStubDomains: { 'acme.local': ['1.2.3.4'] }, upstreamNameservers: ['8.8.8.8'],
    }));
    expect(objects().get('ConfigMap/kube-system/kube-dns')?.data).toEqual({
      stubDomains: '{"acme.local":["1.2.3.4"],"global":["10.96.0.100"]}',
      upstreamNameservers: '["8.8.8.8"]',
    });
  });

  test('istioCoreDns: its Corefile with the gRPC plugin, and a Service with the pinned ClusterIP', () => {
    const { objects } = withDns(GlobalDns.istioCoreDns({ clusterIp: '10.96.0.100' }));
    expect(objects().get('ConfigMap/istio-system/coredns')!.data!.Corefile).toBe(`.:53 {
    errors
    health
    grpc global 127.0.0.1:8053
    forward . /etc/resolv.conf {
        except global
    }
    prometheus :9153
    cache 30
    reload
}
`);
    expect(objects().get('Service/istio-system/istiocoredns')?.spec).toEqual({
      clusterIP: '10.96.0.100',
      selector: { app: 'istiocoredns' },
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
    });
    expect(objects().has('ConfigMap/kube-system/coredns')).toBe(false);
  });

  test('staticZone: CoreDNS answers each .global host the cluster knows with its VIP, sorted', () => {
    const { objects } = withDns(GlobalDns.staticZone({ corefile: KUBEADM_COREFILE }));
    const corefile: string = objects().get('ConfigMap/kube-system/coredns')!.data!.Corefile;
    expect(corefile.slice(KUBEADM_COREFILE.length)).toBe(`global:53 {
    errors
    cache 30
    hosts {
        240.0.0.1 echo.bar.global
        240.0.0.2 httpbin.bar.global
    }
}
`);
  });

  test.each([
    ['coreDns', GlobalDns.coreDns({ istioCoreDnsIp: '10.96.0.100', form: CorefileForm.CUSTOM_SERVER_BLOCK }), 'forward . 10.96.0.100:53'],
    ['staticZone', GlobalDns.staticZone({ form: CorefileForm.CUSTOM_SERVER_BLOCK }), '240.0.0.2 httpbin.bar.global'],
  ])('%s on a managed cluster: only the server block, as global.server in kube-system/coredns-custom, merged in; no Corefile needed', (_, dns, line) => {
    const { objects } = withDns(dns);
    const all = objects();
    expect(all.has('ConfigMap/kube-system/coredns')).toBe(false);
    const custom = all.get('ConfigMap/kube-system/coredns-custom')!;
    expect(Object.keys(custom.data!)).toEqual(['global.server']);
    expect(parseCorefile(custom.data!['global.server']).map(b => b.keys)).toEqual([['global:53']]);
    expect(custom.data!['global.server']).toContain(line);
    // The cluster's operators keep their own keys there: GitOps applies ours as a server-side merge.
    expect(custom.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-options': 'ServerSideApply=true', 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' });
  });

  describe('CoreDNS not known to pick up the block by itself: the README says to restart it', () => {
    const step = (app: ReturnType<typeof withDns>['app']) => bundleFile(app, 'cluster1/README.md').split('\n').find(l => l.startsWith('**DNS.**'));
    const restart = '`kubectl --context "${CTX_CLUSTER1:-cluster1}" -n kube-system rollout restart deployment coredns`';

    test('a Corefile with reload (kubeadm\'s): nothing to do, nothing said', () => {
      const { app } = withDns(GlobalDns.staticZone({ corefile: KUBEADM_COREFILE }));
      expect(step(app)).toBeUndefined();
      expect(app.notes.filter(n => n.includes('MCM202'))).toEqual([]);
    });

    test('a Corefile without reload: a note (MCM202), and the restart in the README, after each change of a static zone', () => {
      const withoutReload = KUBEADM_COREFILE.replace(/^\s*reload\n/m, '');
      expect(withoutReload).not.toBe(KUBEADM_COREFILE);
      const { app } = withDns(GlobalDns.staticZone({ corefile: withoutReload }));
      expect(step(app)).toBe('**DNS.** The cluster\'s Corefile has no `reload` plugin, so CoreDNS reads it only when it starts: after applying `mesh/`, '
        + `and whenever the mesh's \`.global\` hosts change, restart it: ${restart}.`);
      expect(app.notes).toContainEqual(expect.stringMatching(/^\[mesh\/cluster1\] dns: the cluster's Corefile has no reload plugin, so CoreDNS keeps its old configuration until it restarts: add reload to the Corefile, .* \[MCM202\]$/));
    });

    test('coredns-custom: the restart (the mesh does not see whether the cluster\'s Corefile reloads), once for a forward, and no note', () => {
      const { app } = withDns(GlobalDns.coreDns({ istioCoreDnsIp: '10.96.0.100', form: CorefileForm.CUSTOM_SERVER_BLOCK }));
      expect(step(app)).toBe('**DNS.** `coredns-custom` reaches CoreDNS without a restart only if the cluster\'s own Corefile has the `reload` plugin, '
        + 'which the mesh does not see: '
        + `after applying \`mesh/\`, restart it: ${restart}.`);
      expect(app.notes.filter(n => n.includes('MCM202'))).toEqual([]);
    });
  });

  describe('errors name the cluster and the option', () => {
    const cluster = (dns: GlobalDns) => () => new MeshCluster(testMesh().mesh, 'c1', { dns });
    test.each([
      [GlobalDns.coreDns({ corefile: '.:53 {\n  errors\n', istioCoreDnsIp: '10.0.0.1' }), /\[mesh\/c1\] dns.corefile does not parse: line 1: block opened here is never closed/],
      [GlobalDns.coreDns({ corefile: KUBEADM_COREFILE, istioCoreDnsIp: 'istiocoredns' }), /\[mesh\/c1\] dns.istioCoreDnsIp "istiocoredns" is not an IP address/],
      [GlobalDns.istioCoreDns({ clusterIp: '10.0.0' }), /\[mesh\/c1\] dns.clusterIp "10.0.0" is not an IP address/],
      [GlobalDns.staticZone({}), /\[mesh\/c1\] dns needs the cluster's current Corefile, as exactly one of corefile \(text\) or corefileFile/],
      [GlobalDns.staticZone({ corefile: 'x', corefileFile: 'y' }), /exactly one of corefile/],
      [GlobalDns.staticZone({ corefileFile: '/nonexistent/Corefile' }), /dns.corefileFile "\/nonexistent\/Corefile" cannot be read \(ENOENT\)/],
      [GlobalDns.staticZone({ corefile: '# nothing\n' }), /has no server block/],
      [GlobalDns.staticZone({ corefile: `${KUBEADM_COREFILE}global:53 {\n  forward . 1.1.1.1\n}\n` }), /already has a server block for global \(line 21\): pass the Corefile as it was before/],
      [GlobalDns.kubeDns({ istioCoreDnsIp: '10.0.0.5', upstreamNameservers: ['dns.example.com'] }), /\[mesh\/c1\] dns.upstreamNameservers\[0\] "dns.example.com" is not an IP address/],
      [GlobalDns.kubeDns({ istioCoreDnsIp: '10.0.0.5', existingStubDomains: { 'acme.local': ['1.2.3.4:99999'] } }), /dns.existingStubDomains.acme.local\[0\] 99999 is out of range/],
      [GlobalDns.staticZone({ form: 'aks' as CorefileForm }), /\[mesh\/c1\] dns.form "aks" is not a Corefile form: use one of replace, custom-server-block/],
      [GlobalDns.staticZone({ form: CorefileForm.CUSTOM_SERVER_BLOCK, corefile: `${KUBEADM_COREFILE}global:53 {\n  forward . 1.1.1.1\n}\n` }), /already has a server block for global/],
    ])('%#', (dns, message) => {
      expect(cluster(dns)).toThrow(message);
    });
  });

  test('an IPv6 istiocoredns address is bracketed where it meets a port', () => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'c1', { dns: GlobalDns.coreDns({ corefile: KUBEADM_COREFILE, istioCoreDnsIp: 'fd00::a' }) });
    expect(objectsOf(app, 'c1').get('ConfigMap/kube-system/coredns')?.data?.Corefile).toContain('forward . [fd00::a]:53');
  });

  test('kube-dns accepts stub upstreams with a port', () => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'c1', { dns: GlobalDns.kubeDns({ istioCoreDnsIp: '10.0.0.5', existingStubDomains: { 'acme.local': ['1.2.3.4:5353'] } }) });
    expect(JSON.parse(objectsOf(app, 'c1').get('ConfigMap/kube-system/kube-dns')!.data!.stubDomains)).toEqual({ 'acme.local': ['1.2.3.4:5353'], 'global': ['10.0.0.5'] });
  });

  test.each([
    ['coreDns', () => GlobalDns.coreDns({ corefile: KUBEADM_COREFILE, istioCoreDnsIp: '10.0.0.5' })],
    ['kubeDns', () => GlobalDns.kubeDns({ istioCoreDnsIp: '10.0.0.5' })],
    ['istioCoreDns', () => GlobalDns.istioCoreDns({ clusterIp: '10.0.0.5' })],
  ])('%s warns that istiocoredns is gone since Istio 1.9', (_, dns) => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'c1', { dns: dns() });
    synthOnce(app);
    expect(app.warnings).toContainEqual(expect.stringMatching(/^\[mesh\/c1\] dns [a-z-]+ sends .global queries to istiocoredns, which Istio removed in 1.9 .*use GlobalDns.dnsProxy\(\) or GlobalDns.staticZone\(\) \[MCM108\]$/));
  });
});

test('a Corefile that would pass etcd\'s 1.5 MiB object limit is refused as an object over the limit (MCM020), naming the cluster and the way out', () => {
  const huge = `.:53 {\n    errors\n${'    # a very long comment line that pads the Corefile well past what etcd accepts\n'.repeat(20_000)}}\n`;
  const { app } = withDns(GlobalDns.staticZone({ corefile: huge }));
  expect(() => app.synth()).toThrow(/\[mesh\/cluster1\] ConfigMap kube-system\/coredns would be 1\.\d MiB with 2 .global hosts, over etcd's 1.5 MiB object limit .*: use GlobalDns.dnsProxy\(\) in cluster1 \[MCM020\]/);
});

test('sidecars that would see more .global entries than the budget are warned about, with the way out', () => {
  const { app, mesh } = testMesh();
  const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'c2');
  for (let i = 0; i <= 1000; i++) new GlobalService(mesh, `svc${i}`, { namespace: 'ns', ports: [{ name: 'http', number: 80, targetPort: 80 }], servedBy: [c1] });
  synthOnce(app);
  expect(app.warnings).toContainEqual(expect.stringMatching(/\[mesh\/c2\] every sidecar of c2 sees 1001 .global ServiceEntries, over the budget of 1000: .*istio\/istio#51160.*Sidecar egress/));
});
