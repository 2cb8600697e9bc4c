import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { AccessPolicy } from '../access-policy';
import { ClusterBundle, NamespaceUse } from './cluster-bundle';

/** Renders an ALLOW AuthorizationPolicy into one cluster. */
export function renderAccessPolicy(policy: AccessPolicy, bundle: ClusterBundle): void {
  bundle.useNamespace(policy.namespace, NamespaceUse.WORKLOADS);
  const operation = policy.methods || policy.paths || policy.ports
    ? { methods: policy.methods && [...policy.methods], paths: policy.paths && [...policy.paths], ports: policy.ports?.map(String) }
    : undefined;
  bundle.add('security', policy, AuthorizationPolicy, {
    metadata: { name: policy.policyName, namespace: policy.namespace },
    spec: {
      action: AuthorizationPolicySpecAction.ALLOW,
      selector: { matchLabels: { ...policy.selector } },
      rules: [{
        from: [{ source: { principals: [...new Set(policy.principals.map(p => p.render(bundle.mesh.trustDomain)))] } }],
        to: operation && [{ operation }],
      }],
    },
  });
}
