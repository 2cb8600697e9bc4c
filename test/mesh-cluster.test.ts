import { Mesh, MeshCluster } from '../src';
import { joinClusterNames } from '../src/mesh-cluster';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, synthOnce, testApp } from './support/synth';

function twoClusters() {
  const app = testApp();
  const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1' });
  const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3', nodePort: 30001 } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: 'gw.cluster2.example.com' } });
  return { app, mesh, cluster1, cluster2 };
}

describe('MeshCluster', () => {
  test('renders the *.global AUTO_PASSTHROUGH gateway and its ISTIO_MUTUAL rule in istio-system', () => {
    const { app } = twoClusters();
    const objects = objectsOf(app, 'cluster1');

    expect(objects.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ hosts: ['*.global'], port: { name: 'tls', number: 15443, protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' } }],
    });
    expect(objects.get('DestinationRule/istio-system/istio-multicluster-destinationrule')?.spec).toEqual({
      host: '*.global', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    });
    expect(objects.get('PeerAuthentication/istio-system/default')?.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('labels istio-system with the network only when there is one', () => {
    const { app } = twoClusters();
    expect(objectsOf(app, 'cluster1').get('Namespace/istio-system')?.metadata.labels).toMatchObject({ 'topology.istio.io/network': 'network1' });
    expect(objectsOf(app, 'cluster2').get('Namespace/istio-system')?.metadata.labels).not.toHaveProperty('topology.istio.io/network');
  });

  test('renders a namespace added twice once, with injection on', () => {
    const { app, cluster1 } = twoClusters();
    cluster1.addNamespace('foo');
    cluster1.addNamespace('foo');
    const namespaces = [...objectsOf(app, 'cluster1').values()].filter(o => o.kind === 'Namespace');
    const ownership = { 'app.kubernetes.io/managed-by': 'cdk8s-istio-multicluster', 'app.kubernetes.io/part-of': 'mesh1' };
    expect(namespaces.map(n => [n.metadata.name, n.metadata.labels])).toEqual([
      ['istio-system', { ...ownership, 'topology.istio.io/network': 'network1' }],
      ['foo', { ...ownership, 'istio-injection': 'enabled' }],
    ]);
  });

  test('install overlay: mesh id, cluster name, network, and a NodePort 15443 on the default gateway, without labels or env', () => {
    const { app } = twoClusters();
    const overlay = objectsOf(app, 'cluster1').get('IstioOperator/istio-system/cluster1')!;
    expect(overlay.apiVersion).toBe('install.istio.io/v1alpha1');
    expect(overlay.spec.values).toEqual({ global: { meshID: 'mesh1', multiCluster: { clusterName: 'cluster1' }, network: 'network1' } });
    expect(overlay.spec.meshConfig).toEqual({ trustDomain: 'cluster.local', defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } } });
    // No label (it would become the Deployment's immutable selector) and no ISTIO_META_ROUTER_MODE
    // (auto-detected since Istio 1.11): the component is Istio's default ingress gateway, patched.
    expect(overlay.spec.components.ingressGateways).toEqual([{
      name: 'istio-ingressgateway',
      enabled: true,
      k8s: {
        service: {
          type: 'NodePort',
          ports: [
            { name: 'status-port', port: 15021, targetPort: 15021 },
            { name: 'http2', port: 80, targetPort: 8080 },
            { name: 'https', port: 443, targetPort: 8443 },
            { name: 'tls', port: 15443, targetPort: 15443, nodePort: 30001 },
          ],
        },
      },
    }]);
  });

  test('a custom gateway selector installs its own gateway component that carries the selector and listens on the port', () => {
    const app = testApp();
    const cluster = new MeshCluster(new Mesh(app, 'mesh'), 'c', { gateway: { address: '10.0.0.1', port: 15444, selector: { istio: 'crosscluster' } } });
    const objects = objectsOf(app, 'c');
    expect(objects.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.spec.selector).toEqual({ istio: 'crosscluster' });
    expect(objects.get('IstioOperator/istio-system/c')?.spec.components.ingressGateways).toEqual([{
      name: 'istio-crosscluster-gateway',
      enabled: true,
      label: { istio: 'crosscluster' },
      k8s: { service: { type: 'LoadBalancer', ports: [{ name: 'status-port', port: 15021, targetPort: 15021 }, { name: 'tls', port: 15444, targetPort: 15443 }] } },
    }]);
    expect(cluster.gateway?.name).toBe('istio-crosscluster-gateway');
  });

  test.each([80, 443, 15021, 15012])('gateway.port %d would be a second Service port with that number: refused', port => {
    expect(() => new MeshCluster(new Mesh(testApp(), 'mesh'), 'c', { gateway: { address: '10.0.0.1', port } }))
      .toThrow(new RegExp(`\\[mesh/c\\] gateway.port ${port} is already the gateway's [-a-z0-9]+ port: the Service cannot have it twice`));
  });

  test('a custom gateway has no HTTP ports of its own, so 80 is free there', () => {
    const cluster = new MeshCluster(new Mesh(testApp(), 'mesh'), 'c', { gateway: { address: '10.0.0.1', port: 80, selector: { istio: 'x' } } });
    expect(cluster.gateway?.port).toBe(80);
  });

  test('a cluster without a gateway renders no Gateway and no gateway overlay', () => {
    const app = testApp();
    new MeshCluster(new Mesh(app, 'mesh'), 'edge');
    const objects = objectsOf(app, 'edge');
    expect([...objects.keys()].some(k => k.startsWith('Gateway/'))).toBe(false);
    expect(objects.get('IstioOperator/istio-system/edge')?.spec.components).toBeUndefined();
  });

  test('every rendered Istio object validates against the Istio 1.30 CRD schemas', () => {
    const { app } = twoClusters();
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  describe('bad props fail at once, naming the construct, property, value and fix', () => {
    const mesh = () => new Mesh(testApp(), 'mesh');
    test.each([
      [{ name: 'Cluster_1' }, /\[mesh\/c\] name "Cluster_1" is not a DNS-1123 label: use at most 63 lower-case/],
      [{ network: 'net 1' }, /\[mesh\/c\] network "net 1" is not a DNS-1123 label/],
      [{ gateway: { address: 'gw_1' } }, /\[mesh\/c\] gateway.address "gw_1" is neither an IP address nor a DNS hostname: use an IPv4 address/],
      [{ gateway: { address: '10.0.0.300' } }, /gateway.address "10.0.0.300" is neither/],
      [{ gateway: { address: '10.0.0.1', port: 70000 } }, /\[mesh\/c\] gateway.port 70000 is out of range: use an integer from 1 to 65535/],
      [{ gateway: { address: '10.0.0.1', nodePort: 0 } }, /gateway.nodePort 0 is out of range/],
      [{ gateway: { address: '10.0.0.1', istiodNodePort: 30012 } }, /gateway.istiodNodePort 30012 needs gateway.nodePort: a LoadBalancer gateway is reached on 15012 itself/],
      [{ gateway: { address: '10.0.0.1', nodePort: 30012 } }, /gateway.istiodNodePort 30012 is also gateway.nodePort: give istiod its own NodePort/],
      [{ gateway: { address: '10.0.0.1', selector: {} } }, /gateway.selector \{\} is empty/],
      [{ gateway: { address: '10.0.0.1', selector: { 'istio/': 'x' } } }, /gateway.selector key "istio\/" is not a label key/],
      [{ locality: 'us-east-1//a' }, /\[mesh\/c\] locality "us-east-1\/\/a" is not a locality: use region\[\/zone\[\/subzone\]\]/],
      [{ locality: 'a/b/c/d' }, /locality "a\/b\/c\/d" is not a locality/],
    ])('%j', (props, message) => {
      expect(() => new MeshCluster(mesh(), 'c', props)).toThrow(message);
    });

    test('a namespace that is not a DNS label', () => {
      const cluster = new MeshCluster(mesh(), 'c');
      expect(() => cluster.addNamespace('Foo')).toThrow(/\[mesh\/c\] namespace "Foo" is not a DNS-1123 label/);
    });

    test.each(['kube-system', 'kube-public', 'istio-system'])('system namespace %s never gets injection', ns => {
      const cluster = new MeshCluster(mesh(), 'c');
      expect(() => cluster.addNamespace(ns)).toThrow(new RegExp(`namespace "${ns}" is a system namespace, which must never get sidecar injection`));
    });
  });

  test('a NodePort outside Kubernetes\' default range warns (MCM115): most API servers refuse the gateway\'s Service', () => {
    const app = testApp();
    const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1' });
    new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1', nodePort: 15443, istiodNodePort: 32767 } });
    new MeshCluster(mesh, 'c2', { gateway: { address: '10.0.0.2', nodePort: 30000, istiodNodePort: 32768 } });
    synthOnce(app);
    expect(app.warnings.filter(w => w.endsWith('[MCM115]'))).toEqual([
      '[mesh/c1] gateway.nodePort 15443 is outside Kubernetes\' default NodePort range (30000-32767): the API server refuses the gateway\'s Service '
        + 'unless its --service-node-port-range holds the port; use one from the range [MCM115]',
      expect.stringMatching(/^\[mesh\/c2\] gateway.istiodNodePort 32768 is outside .* \[MCM115\]$/),
    ]);
  });

  test('accepts IPv6 gateways and full localities', () => {
    const cluster = new MeshCluster(new Mesh(testApp(), 'mesh'), 'c', { gateway: { address: 'fd00::4' }, locality: 'us/us-east-1/az-1' });
    expect(cluster.gateway).toMatchObject({ addressKind: 'ipv6', port: 15443, remotePort: 15443 });
    expect(cluster.locality).toBe('us/us-east-1/az-1');
  });
});

test('joinClusterNames joins names as map().join() would', () => {
  const mesh = new Mesh(testApp(), 'mesh');
  const clusters = ['a', 'b', 'c'].map(name => new MeshCluster(mesh, name));
  expect(joinClusterNames(clusters, ', ')).toBe('a, b, c');
  expect(joinClusterNames(clusters.slice(0, 1), ', ')).toBe('a');
  expect(joinClusterNames([], ', ')).toBe('');
});
