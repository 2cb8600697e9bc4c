import * as networking from '../imports/networking.istio.io';
import * as security from '../imports/security.istio.io';
import * as telemetry from '../imports/telemetry.istio.io';
import * as fs from 'fs';
import { IMPORTED_CRDS, istioCrdFile, loadCrds, SCHEMA_EXTRACT_FILE, schemaExtract } from '../scripts/istio-crds';
import { loadToolSchemas, TOOL_SCHEMA_EXTRACT_FILE, toolSchemaExtract, toolSourcesPresent } from '../scripts/tool-schemas';

describe('generated Istio imports', () => {
  test('every imported class is the v1 version of its kind', () => {
    // GIVEN the classes `npm run import` generates
    const exported: unknown[] = [...Object.values(networking), ...Object.values(security), ...Object.values(telemetry)];
    const pinned = Object.fromEntries(exported
      .filter((x): x is { GVK: { apiVersion: string; kind: string } } => typeof x === 'function' && 'GVK' in x)
      .map(cls => [cls.GVK.kind, cls.GVK.apiVersion]));

    // THEN they are exactly the trimmed set, each at v1
    expect(pinned).toEqual({
      AuthorizationPolicy: 'security.istio.io/v1',
      DestinationRule: 'networking.istio.io/v1',
      Gateway: 'networking.istio.io/v1',
      PeerAuthentication: 'security.istio.io/v1',
      ServiceEntry: 'networking.istio.io/v1',
      Sidecar: 'networking.istio.io/v1',
      Telemetry: 'telemetry.istio.io/v1',
      VirtualService: 'networking.istio.io/v1',
      WorkloadEntry: 'networking.istio.io/v1',
      WorkloadGroup: 'networking.istio.io/v1',
    });
    expect(Object.keys(pinned)).toHaveLength(IMPORTED_CRDS.length);
  });
});

describe('the committed CRD schema extract', () => {
  const source = istioCrdFile();
  // Only a checkout with the CRD bundle beside it can tell; every clone still validates against the extract.
  (source ? test : test.skip)('is what `npm run import` makes of the Istio CRD bundle (refresh with npm run import)', () => {
    expect(fs.readFileSync(SCHEMA_EXTRACT_FILE, 'utf8')).toBe(schemaExtract(loadCrds(source!)));
  });

  test('holds every rendered kind at v1 and, where Istio serves it, v1beta1, with its CEL rules', () => {
    const extract = JSON.parse(fs.readFileSync(SCHEMA_EXTRACT_FILE, 'utf8')).items;
    expect(extract.map((crd: any) => crd.metadata.name).sort()).toEqual([...IMPORTED_CRDS].sort());
    // Telemetry skipped v1beta1 (v1alpha1, then v1); the other groups serve both.
    expect(Object.fromEntries(extract.map((crd: any) => [crd.spec.group, crd.spec.versions.map((v: any) => v.name).sort().join()]))).toEqual({
      'networking.istio.io': 'v1,v1beta1', 'security.istio.io': 'v1,v1beta1', 'telemetry.istio.io': 'v1',
    });
    expect(JSON.stringify(extract)).toContain('x-kubernetes-validations');
  });
});

describe('the committed tool schema extract', () => {
  (toolSourcesPresent() ? test : test.skip)('is what `npm run import` makes of ../shared/crds and the gateway chart\'s schema', () => {
    expect(fs.readFileSync(TOOL_SCHEMA_EXTRACT_FILE, 'utf8')).toBe(toolSchemaExtract());
  });

  test('holds the GitOps, secret delivery and monitoring kinds the library renders', () => {
    const { crds, gatewayValues } = loadToolSchemas();
    expect(crds.map(crd => `${crd.spec.group}|${crd.spec.names.kind}`).sort()).toEqual([
      'argoproj.io|Application', 'bitnami.com|SealedSecret', 'external-secrets.io|ExternalSecret', 'external-secrets.io|PushSecret',
      'gateway.networking.k8s.io|Gateway', 'helm.toolkit.fluxcd.io|HelmRelease', 'kustomize.toolkit.fluxcd.io|Kustomization', 'monitoring.coreos.com|PodMonitor', 'monitoring.coreos.com|ServiceMonitor',
    ]);
    expect(JSON.stringify(gatewayValues)).toContain('networkGateway');
  });
});
