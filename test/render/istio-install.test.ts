import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { GlobalService, MeshCluster, VmWorkload } from '../../src';
import { sanitized } from '../../src/render/manifest';
import { listFiles, objectsOf, testMesh } from '../support/synth';
import { gatewayValuesErrors, unknownChartValueKeys } from '../support/tool-schema';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const load = (file: string) => yaml.load(fs.readFileSync(file, 'utf8')) as any;
/** Every committed `istio/` directory of the examples. */
const installDirs = listFiles(EXAMPLES).filter(f => f.endsWith('/istio/istiod-values.yaml')).map(f => path.join(EXAMPLES, path.dirname(f)));

describe('Istio install values', () => {
  test('every example cluster has them', () => {
    expect(installDirs.length).toBeGreaterThanOrEqual(10);
  });

  test.each(installDirs.map(d => [path.relative(EXAMPLES, d), d]))('%s: gateway values fit the chart\'s schema; Helm and istioctl say the same', (_, dir) => {
    const operator = load(path.join(dir, 'istio-operator.yaml')).spec;
    const istiod = load(path.join(dir, 'istiod-values.yaml'));
    // One install plan: identity, trust domain, proxy metadata and revision agree field by field.
    expect(istiod.global).toEqual(operator.values.global);
    expect(istiod.meshConfig).toEqual(operator.meshConfig);
    expect(istiod.revision).toEqual(operator.revision);
    expect([istiod.profile, istiod.istiodRemote]).toEqual([operator.profile, operator.values.istiodRemote]);
    expect(load(path.join(dir, 'base-values.yaml'))).toEqual(sanitized({ defaultRevision: operator.revision ?? 'default', profile: operator.profile }));
    // The charts ship no schema for these: every key must be one their values.yaml has.
    expect(unknownChartValueKeys('istiod', istiod)).toEqual([]);
    expect(unknownChartValueKeys('base', load(path.join(dir, 'base-values.yaml')))).toEqual([]);

    const gatewayFile = path.join(dir, 'gateway-values.yaml');
    const component = operator.components?.ingressGateways?.[0];
    expect(fs.existsSync(gatewayFile)).toBe(component !== undefined);
    if (!component) return;
    const gateway = load(gatewayFile);
    expect(gatewayValuesErrors(gateway)).toEqual([]);
    expect(gateway.service.type).toBe(component.k8s.service.type);
    // The mesh's ports (15443 and istiod's 15012) with their pinned NodePorts are the same in both.
    const meshPorts = (ports: any[]) => ports.filter(p => ['tls', 'tls-istiod'].includes(p.name)).map(({ protocol, ...p }) => p);
    expect(meshPorts(gateway.service.ports)).toEqual(meshPorts(component.k8s.service.ports));
    expect(meshPorts(gateway.service.ports).length).toBeGreaterThan(0);
  });
});

describe('the gateway release', () => {
  test('a gateway selected by other labels gets them through the chart\'s labels (its selector labels then match), under its own release name', () => {
    const { app, mesh } = testMesh({ meshId: 'mesh1', injectionRevision: 'canary' });
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1', selector: { istio: 'crosscluster' } } });
    const c2 = new MeshCluster(mesh, 'c2', { gateway: { address: '10.0.0.2' } });
    new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 8080 }], servedBy: [c1], consumers: [c2] });
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c1, serviceAccount: 'legacy', instances: [{ name: 'legacy-1', address: '10.1.0.5' }], ports: [{ name: 'http', number: 8080 }] });
    app.synth();
    const gateway = load(path.join(app.bundlesOutdir, 'c1/istio/gateway-values.yaml'));
    expect(gatewayValuesErrors(gateway)).toEqual([]);
    expect(gateway).toEqual({
      labels: { istio: 'crosscluster' },
      revision: 'canary',
      service: {
        type: 'LoadBalancer',
        ports: [
          { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
          { name: 'tls', port: 15443, targetPort: 15443, protocol: 'TCP' },
          { name: 'tls-istiod', port: 15012, targetPort: 15012, protocol: 'TCP' },
        ],
      },
    });
    expect(fs.readFileSync(path.join(app.bundlesOutdir, 'c1/README.md'), 'utf8'))
      .toContain('helm upgrade --install istio-crosscluster-gateway istio/gateway --kube-context "$CTX_C1" -n istio-system --version 1.30.3 -f istio/gateway-values.yaml');
    // The revision that installs istiod is the one namespaces are labelled with.
    expect(load(path.join(app.bundlesOutdir, 'c1/istio/istiod-values.yaml')).revision).toBe('canary');
    expect(objectsOf(app, 'c1').get('Namespace/shop')?.metadata.labels).toMatchObject({ 'istio.io/rev': 'canary' });
    // The mesh's Gateway selects the pods the chart labels.
    expect(objectsOf(app, 'c1').get('Gateway/istio-system/istio-multicluster-ingressgateway')?.spec.selector).toEqual(gateway.labels);
  });
});
