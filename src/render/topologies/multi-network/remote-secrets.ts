import { Mesh } from '../../../mesh';
import { MeshCluster } from '../../../mesh-cluster';
import { RemoteSecretDeliveryMode } from '../../../topology';
import { OutputFile, OutputRoot } from '../../../write/output-file';
import { ClusterBundle, ISTIO_SYSTEM } from '../../cluster-bundle';
import { ExternalSecret } from '../../external-secret';
import { contextAssignment, contextVariable } from '../../shell';

/** The script that creates every remote secret, beside the bundles. */
export const REMOTE_SECRETS_SCRIPT = 'remote-secrets.sh';

/** Every (primary, peer) pair: each istiod reads every other cluster's API server, remotes' included. */
export function remoteSecretPairs(clusters: readonly MeshCluster[]): Array<{ readonly holder: MeshCluster; readonly peer: MeshCluster }> {
  return clusters.filter(c => !c.isRemote).flatMap(holder => clusters.filter(peer => peer !== holder).map(peer => ({ holder, peer })));
}

/**
 * A primary's remote secrets as ExternalSecrets: the Secret istiod watches (label `istio/multiCluster`,
 * annotation `networking.istio.io/cluster`), whose one key is the peer's cluster name, as
 * `istioctl create-remote-secret` writes it; the kubeconfig comes from the store.
 */
export function renderRemoteSecrets(bundle: ClusterBundle, clusters: readonly MeshCluster[]): void {
  const { mesh, cluster } = bundle;
  const store = mesh.remoteSecrets.store;
  if (mesh.remoteSecrets.mode !== RemoteSecretDeliveryMode.EXTERNAL_SECRET || cluster.isRemote) return;
  const prefix = store!.remoteKeyPrefix ?? `${mesh.meshId}/remote-secrets`;
  for (const { peer } of remoteSecretPairs(clusters).filter(p => p.holder === cluster)) {
    const name = `istio-remote-secret-${peer.clusterName}`;
    bundle.add('remote-secrets', peer, ExternalSecret, {
      metadata: { name, namespace: ISTIO_SYSTEM },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: store!.storeName, kind: store!.storeKind ?? 'ClusterSecretStore' },
        target: {
          name,
          creationPolicy: 'Owner',
          template: { metadata: { labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': peer.clusterName } } },
        },
        data: [{ secretKey: peer.clusterName, remoteRef: { key: `${prefix}/${peer.clusterName}`, property: 'kubeconfig' } }],
      },
    });
  }
}

/** Names in prose: `a`, `a and b`, `a, b and c`. */
const inProse = (names: readonly string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]);

/**
 * The remote secrets' step of a cluster's README: which API servers its istiod reads, which istiods read
 * its own, and how their credentials get there.
 */
export function remoteSecretsStep(bundle: ClusterBundle, clusters: readonly MeshCluster[]): string[] {
  const { mesh, cluster } = bundle;
  const pairs = remoteSecretPairs(clusters);
  const peers = pairs.filter(p => p.holder === cluster).map(p => p.peer.clusterName);
  const readers = pairs.filter(p => p.peer === cluster).map(p => p.holder.clusterName);
  if (peers.length === 0 && readers.length === 0) return [];
  const reads = peers.length > 0 ? `This cluster's istiod reads the API ${peers.length > 1 ? 'servers' : 'server'} of ${inProse(peers)}` : undefined;
  const readBy = readers.length > 0 ? `The ${readers.length > 1 ? 'istiods' : 'istiod'} of ${inProse(readers)} ${readers.length > 1 ? 'read' : 'reads'} this cluster's API server` : undefined;
  const paragraph = (sentences: ReadonlyArray<string | undefined>) => [`**Remote secrets.** ${sentences.filter(Boolean).join(' ')}`];
  if (mesh.remoteSecrets.mode === RemoteSecretDeliveryMode.EXTERNAL_SECRET) {
    const store = mesh.remoteSecrets.store!;
    const prefix = store.remoteKeyPrefix ?? `${mesh.meshId}/remote-secrets`;
    return paragraph([
      reads && `${reads} through ExternalSecrets (in \`mesh/\`) from the store \`${store.storeName}\`, each kubeconfig under \`${prefix}/<cluster>\`, `
        + 'property `kubeconfig` (the one `istioctl create-remote-secret --name=<cluster>` writes into its Secret).',
      readBy && `${readBy}: put its kubeconfig under \`${prefix}/${cluster.clusterName}\`.`,
    ]);
  }
  return paragraph([
    reads && `${reads}.`,
    readBy && `${readBy}.`,
    `Once Istio runs in every cluster (its base chart makes the \`istio-reader\` service account the credentials are for), run `
      + `\`bash ../${REMOTE_SECRETS_SCRIPT}\` once for the whole mesh (each cluster's context is its \`CTX_<CLUSTER>\`, else its name), and again `
      + 'when a cluster joins: the credentials never enter the bundles.',
  ]);
}

/**
 * `remote-secrets.sh`: the `istioctl create-remote-secret` command for every (primary, peer) pair, for teams
 * without a secret store. Credentials never enter the bundles: the script reads them from kube contexts
 * when it runs.
 */
export function remoteSecretsScript(mesh: Mesh, clusters: readonly MeshCluster[]): OutputFile[] {
  const pairs = remoteSecretPairs(clusters);
  if (mesh.remoteSecrets.mode !== RemoteSecretDeliveryMode.SCRIPT || pairs.length === 0) return [];
  const lines = [
    '#!/usr/bin/env bash',
    `# Remote secrets of mesh ${mesh.meshId}, generated by cdk8s-istio-multicluster; do not edit.`,
    '# Each primary\'s istiod reads every other cluster\'s API server with the kubeconfig of that cluster\'s',
    '# istio-reader service account (installed by the base chart). Run once, and again when a cluster joins.',
    '# Each cluster\'s kube context defaults to its name; override with e.g. CTX_CLUSTER1=prod-east ./remote-secrets.sh',
    'set -euo pipefail',
    '',
    ...clusters.map(c => contextAssignment(c.clusterName)),
    '',
    ...pairs.map(({ holder, peer }) => [
      `istioctl create-remote-secret --context="\${${contextVariable(peer.clusterName)}}" --name=${peer.clusterName}`,
      ...(peer.apiServer ? [`--server=${peer.apiServer}`] : []),
      `| kubectl apply --context="\${${contextVariable(holder.clusterName)}}" -f -`,
    ].join(' ')),
    '',
  ];
  return [{ root: OutputRoot.BUNDLES, path: REMOTE_SECRETS_SCRIPT, content: lines.join('\n') }];
}
