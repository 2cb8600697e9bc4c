import { istioSchemaErrors } from './istio-schema';

describe('istioSchemaErrors (the validator the other tests rely on)', () => {
  const entry = (spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'a', namespace: 'b' }, spec });

  test('accepts a valid object', () => {
    expect(istioSchemaErrors([entry({ hosts: ['a.b.global'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }] })])).toEqual([]);
  });

  test('rejects a wrong type, a bad enum and an unknown field', () => {
    const errors = istioSchemaErrors([entry({ hosts: ['a.b.global'], resolution: 'MAGIC', ports: [{ name: 'http', number: 'x' }], bogus: 1 })]);
    expect(errors.join('\n')).toMatch(/\/spec\/ports\/0\/number must be integer/);
    expect(errors.join('\n')).toMatch(/\/spec\/resolution must be equal to one of the allowed values/);
    expect(errors.join('\n')).toMatch(/must NOT have additional properties \{"additionalProperty":"bogus"\}/);
  });

  test('rejects a version no CRD serves', () => {
    expect(istioSchemaErrors([{ ...entry({ hosts: ['a'] }), apiVersion: 'networking.istio.io/v2' }]))
      .toEqual(['ServiceEntry b/a: no CRD serves networking.istio.io/v2 ServiceEntry']);
  });
});

describe('the CRDs\' CEL rules', () => {
  const entry = (spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'a', namespace: 'b' }, spec });

  test('reject what only a CEL rule forbids', () => {
    // schema-valid, but a ServiceEntry may not have both a workloadSelector and endpoints, nor a "*" host
    const errors = istioSchemaErrors([entry({
      hosts: ['*'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
      workloadSelector: { labels: { app: 'a' } }, endpoints: [{ address: '10.0.0.1' }],
    })]);
    expect(errors).toEqual([
      'ServiceEntry b/a: /spec: only one of WorkloadSelector or Endpoints can be set',
      'ServiceEntry b/a: /spec: NONE mode cannot set endpoints',
      'ServiceEntry b/a: /spec/hosts/0: hostname cannot be wildcard',
    ]);
  });

  test('pass a valid object', () => {
    expect(istioSchemaErrors([entry({ hosts: ['a.b.global'], ports: [{ name: 'http', number: 80 }], resolution: 'DNS', endpoints: [{ address: 'gw.example.com', ports: { http: 15443 } }] })])).toEqual([]);
  });
});
