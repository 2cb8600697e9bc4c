import { ExternalService } from '../external-service';
import { joinClusterNames, MeshCluster } from '../mesh-cluster';
import { ResolvedMesh } from '../resolve/resolved-mesh';
import { describePlan } from '../resolve/route-plan';
import { MeshTopology } from '../topology';
import { formatLabels } from '../validation/names';
import { leavesThroughWaypoint } from './external-services';

/** A Mermaid node id: letters, digits and `_` only. */
const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
/** A Mermaid label, quoted. */
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

function clusterTitle(cluster: MeshCluster): string {
  const role = cluster.primary ? `remote of ${cluster.primary.clusterName}` : cluster.mesh.topology !== MeshTopology.GLOBAL_NAMES ? 'primary' : `dns ${cluster.dns.mode}`;
  return [cluster.clusterName, cluster.network, cluster.locality, role].filter(Boolean).join(' · ');
}

/** Mermaid's default edge limit; GitHub refuses larger diagrams, and they are unreadable well before. */
const MAX_EDGES = 500;

/**
 * Edges keyed by `from -> to`, so a pair of clusters draws one edge: each with the first label it stands for
 * and how many, which is all a line shows.
 */
class Edges {
  private readonly byPair = new Map<string, { readonly from: string; readonly to: string; readonly first: string; count: number }>();

  public add(from: string, to: string, text: string): void {
    const key = `${from} ${to}`;
    const edge = this.byPair.get(key);
    if (edge) edge.count++;
    else this.byPair.set(key, { from, to, first: text, count: 1 });
  }

  public get size(): number {
    return this.byPair.size;
  }

  /** One line per pair: its label when it stands for one thing, else how many (`12 services`). */
  public lines(arrow: string, many: string): string[] {
    return [...this.byPair.values()].map(({ from, to, first, count }) =>
      `  ${from} ${arrow}|${label(count === 1 ? first : `${count} ${many}`)}| ${to}`);
  }
}

/**
 * `mesh.md`: the topology as a Mermaid diagram (clusters and their gateways, who serves and who consumes
 * each global service, VMs, cross-cluster route shares) and the tables behind it, so that a reviewer
 * sees what changed in the pull request without reading YAML.
 */
export function renderMeshPicture(model: ResolvedMesh): string {
  const lines = ['flowchart LR'];
  for (const cluster of model.clusters) {
    lines.push(`  subgraph ${id(cluster.clusterName)}[${label(clusterTitle(cluster))}]`);
    const gateway = cluster.gateway;
    lines.push(gateway
      ? `    ${id(cluster.clusterName, 'gw')}{{${label(`gateway ${gateway.address}:${gateway.remotePort}`)}}}`
      : `    ${id(cluster.clusterName, 'nogw')}[${label('no gateway')}]`);
    for (const vm of model.vms.filter(v => v.cluster === cluster)) {
      for (const instance of vm.instances) {
        lines.push(`    ${id(cluster.clusterName, 'vm', vm.namespace, vm.serviceName, instance.name)}[/${label(`VM ${vm.serviceName}/${instance.name} ${instance.address}`)}/]`);
      }
    }
    lines.push('  end');
  }
  // Node ids made once per cluster: a mesh of thousands of services draws an edge per consumer and server.
  const nodeIds = new Map(model.clusters.map(c => [c, { cluster: id(c.clusterName), gateway: id(c.clusterName, 'gw') }]));
  const consumed = new Edges();
  for (const rs of model.services) {
    const gateways = rs.servedBy.filter(s => s.gateway);
    for (const consumer of rs.consumers) {
      for (const server of gateways) {
        if (server !== consumer) consumed.add(nodeIds.get(consumer)!.cluster, nodeIds.get(server)!.gateway, rs.host);
      }
    }
  }
  const routed = new Edges();
  for (const { route, plan } of model.routes) {
    for (const client of plan.clients) {
      const shares = new Map<MeshCluster, string[]>();
      for (const rule of client.rules) {
        for (const hop of rule.hops.filter(h => !h.local)) {
          shares.set(hop.cluster, [...shares.get(hop.cluster) ?? [], `${rule.rule.name}: ${hop.version.name} ${hop.weight}%`]);
        }
      }
      for (const [server, parts] of shares) {
        routed.add(nodeIds.get(client.client)!.cluster, nodeIds.get(server)!.gateway, `${route.service.serviceName} ${parts.join(', ')}`);
      }
    }
  }
  lines.push(...consumed.lines('-->', 'services'), ...routed.lines('-.->', 'routes'));
  const edges = consumed.size + routed.size;
  const diagram = edges <= MAX_EDGES
    ? ['```mermaid', ...lines, '```', '', 'Solid arrows: a cluster consumes global services through a gateway (one arrow per pair, with the host or a count). '
      + 'Dashed arrows: versioned routes that cross clusters. The tables below list every service, route and VM.']
    : [`The topology has ${edges} cluster-to-gateway edges, more than a diagram can show (Mermaid draws ${MAX_EDGES} at most): read the tables below.`];

  const sections = [
    `# Mesh ${model.mesh.meshId}`,
    '',
    `Trust domain \`${model.mesh.trustDomain}\`, ${model.mesh.topology === MeshTopology.GLOBAL_NAMES
      ? `global names \`*.${model.mesh.globalDomain}\``
      : `${model.mesh.topology}: services keep their cluster.local names, reached through east-west gateways`}. Generated by cdk8s-istio-multicluster; do not edit.`,
    '',
    ...diagram,
    '',
    '## Global services',
    '',
    ...(model.services.length === 0 ? ['None.'] : [
      '| host | VIP | served by | consumed by |',
      '| --- | --- | --- | --- |',
      ...model.services.map(rs => `| ${rs.host} | ${rs.vip ?? '-'} | ${joinClusterNames(rs.servedBy, ', ')} | ${joinClusterNames(rs.consumers, ', ') || '-'} |`),
    ]),
    '',
    '## Routing',
    '',
    ...(model.routes.length === 0 ? ['None.'] : model.routes.flatMap(({ route, plan }) => [`### ${route.service.globalHost}`, '', '```', describePlan(plan), '```', ''])),
    '',
    '## VMs',
    '',
    ...(model.vms.length === 0 ? ['None.'] : model.vms.flatMap(vm => vm.instances.map(i =>
      `- ${vm.serviceName}/${i.name} at ${i.address} in ${vm.cluster.clusterName} (${vm.namespace}), serves ${vm.host}`))),
    '',
    '## External services',
    '',
    ...(model.externals.length === 0 ? ['None.'] : [
      '| hosts | ports | resolution | TLS origination | called from |',
      '| --- | --- | --- | --- | --- |',
      ...model.externals.map(({ service, clusters }) => `| ${service.hosts.join(', ')} | ${service.ports.map(p => `${p.name} ${p.number}${p.targetPort ? `->${p.targetPort}` : ''}`).join(', ')} | `
        + `${service.resolution} | ${originationOf(service)} | ${joinClusterNames(clusters, ', ')} |`),
    ]),
    '',
    '## Access policies',
    '',
    ...(model.policies.length === 0 ? ['None.'] : [
      '| policy | protects | allows | in |',
      '| --- | --- | --- | --- |',
      ...model.policies.map(({ policy, clusters }) => {
        // What the rule narrows the calls to: methods, paths, the workloads' ports.
        const scope = [policy.methods?.join(', '), policy.paths?.join(', '), policy.ports && `port ${policy.ports.join(', ')}`].filter(Boolean).join('; ');
        return `| ${policy.namespace}/${policy.policyName} | ${Object.entries(policy.selector).map(([k, v]) => `${k}=${v}`).join(', ')} | `
          + `${policy.principals.map(p => p.render(model.mesh.trustDomain)).join(', ')}${scope ? ` (${scope})` : ''} | ${joinClusterNames(clusters, ', ')} |`;
      }),
    ]),
    '',
  ];
  return sections.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Where an external service's TLS is originated, and with which credential: `MUTUAL (ledger-client) at frontend app=web`. */
function originationOf(service: ExternalService): string {
  const tls = service.tls;
  if (!tls) return '-';
  const where = service.egressGateway ? ` at the egress ${leavesThroughWaypoint(service) ? 'waypoint' : 'gateway'}`
    : tls.workloads ? ` at ${tls.workloads.map(w => `${w.namespace} ${formatLabels(w.selector)}`).join('; ')}` : '';
  return `${tls.mode}${tls.credentialName ? ` (${tls.credentialName})` : ''}${where}`;
}
