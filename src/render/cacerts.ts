import { KeyObject } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { CacertsDeliveryMode, CacertsLayout, MeshCa } from '../mesh-ca';
import { ClusterCaMaterial } from '../pki/resolve-pki';
import { sealingLabel, SealingScope, sealValue } from '../pki/sealed-secrets';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { OutputRoot } from '../write/output-file';
import { ExternalSecret } from './external-secret';
import { SealedSecret } from './sealed-secret';

/** The material of an ExternalSecret delivery as its store holds it, in the cluster's secrets directory. */
export const STORE_FILE = 'cacerts.json';

/** The controller reads a non-strict scope from the SealedSecret's annotations. */
const SCOPE_ANNOTATIONS: { readonly [scope in SealingScope]?: { readonly [key: string]: string } } = {
  [SealingScope.NAMESPACE_WIDE]: { 'sealedsecrets.bitnami.com/namespace-wide': 'true' },
  [SealingScope.CLUSTER_WIDE]: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' },
};

/** The Secret's keys for each layout. */
function secretData(layout: CacertsLayout, m: ClusterCaMaterial): { type: string; data: { [key: string]: string } } {
  return layout === CacertsLayout.KUBERNETES_TLS
    ? { type: 'kubernetes.io/tls', data: { 'tls.crt': m.certChain, 'tls.key': m.caKey, 'ca.crt': m.rootCerts } }
    : { type: 'Opaque', data: { 'ca-cert.pem': m.caCert, 'ca-key.pem': m.caKey, 'root-cert.pem': m.rootCerts, 'cert-chain.pem': m.certChain } };
}

/**
 * Renders a cluster's `cacerts` Secret (istiod's plugged-in CA) where the delivery says: the secrets
 * directory by default, inline in the bundle only when asked, as an ExternalSecret reference, or sealed for
 * the cluster's Sealed Secrets controller.
 */
export function renderCacerts(bundle: ClusterBundle, ca: MeshCa, material: ClusterCaMaterial, sealingKey?: KeyObject): void {
  const options = ca._options;
  const layout = options.layout ?? CacertsLayout.ISTIO;
  const delivery = options.delivery;
  const { type, data } = secretData(layout, material);
  const secret = {
    metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM },
    type,
    data: Object.fromEntries(Object.entries(data).map(([key, pem]) => [key, Buffer.from(pem).toString('base64')])),
  };

  switch (delivery?.mode ?? CacertsDeliveryMode.SECRETS_DIR) {
    case CacertsDeliveryMode.INLINE:
      bundle.add('ca', bundle.mesh, k8s.KubeSecret, secret);
      break;
    case CacertsDeliveryMode.EXTERNAL_SECRET: {
      const external = delivery!.externalSecret!;
      const prefix = external.remoteKeyPrefix ?? `${bundle.mesh.meshId}/cacerts`;
      bundle.add('ca', bundle.mesh, ExternalSecret, {
        metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM },
        spec: {
          refreshInterval: external.refreshInterval ?? '1h',
          secretStoreRef: { name: external.storeName, kind: external.storeKind ?? 'ClusterSecretStore' },
          target: { name: 'cacerts', creationPolicy: 'Owner', template: { type } },
          data: Object.keys(data).sort().map(key => ({
            secretKey: key,
            remoteRef: { key: `${prefix}/${bundle.cluster.clusterName}`, property: key },
          })),
        },
      });
      // The material still has to reach the store: it goes to the secrets directory for upload, as a Secret
      // and as the JSON object a store holds under the remote key (one property per Secret key).
      bundle.add('secrets', bundle.mesh, k8s.KubeSecret, secret);
      bundle.addFile({
        root: OutputRoot.SECRETS,
        path: STORE_FILE,
        content: `${JSON.stringify(Object.fromEntries(Object.keys(data).sort().map(key => [key, data[key]])), null, 2)}\n`,
        private: true,
      });
      break;
    }
    case CacertsDeliveryMode.SEALED_SECRET: {
      const scope = delivery!.sealedSecret!.scope ?? SealingScope.STRICT;
      const label = sealingLabel(scope, ISTIO_SYSTEM, 'cacerts');
      const controllerKey = sealingKey!;
      bundle.add('ca', bundle.mesh, SealedSecret, {
        metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM, annotations: SCOPE_ANNOTATIONS[scope] },
        spec: {
          encryptedData: Object.fromEntries(Object.entries(data).map(([key, pem]) => [key, sealValue(controllerKey, Buffer.from(pem), label, material.caKey)])),
          template: { metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM }, type },
        },
      });
      break;
    }
    default:
      bundle.add('secrets', bundle.mesh, k8s.KubeSecret, secret);
  }
}
