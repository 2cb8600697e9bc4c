import { k8s } from 'cdk8s-plus-27';
import { CacertsDeliveryMode, CacertsLayout, MeshCa } from '../mesh-ca';
import { ClusterCaMaterial } from '../pki/resolve-pki';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { ExternalSecret } from './external-secret';

/** The Secret's keys for each layout. */
function secretData(layout: CacertsLayout, m: ClusterCaMaterial): { type: string; data: { [key: string]: string } } {
  return layout === CacertsLayout.KUBERNETES_TLS
    ? { type: 'kubernetes.io/tls', data: { 'tls.crt': m.certChain, 'tls.key': m.caKey, 'ca.crt': m.rootCerts } }
    : { type: 'Opaque', data: { 'ca-cert.pem': m.caCert, 'ca-key.pem': m.caKey, 'root-cert.pem': m.rootCerts, 'cert-chain.pem': m.certChain } };
}

/**
 * Renders a cluster's `cacerts` Secret (istiod's plugged-in CA) where the delivery says: the secrets
 * directory by default, inline in the bundle only when asked, or as an ExternalSecret reference.
 */
export function renderCacerts(bundle: ClusterBundle, ca: MeshCa, material: ClusterCaMaterial): void {
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
      // The material still has to reach the store: it goes to the secrets directory for upload.
      bundle.add('secrets', bundle.mesh, k8s.KubeSecret, secret);
      break;
    }
    default:
      bundle.add('secrets', bundle.mesh, k8s.KubeSecret, secret);
  }
}
