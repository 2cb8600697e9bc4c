import { IConstruct } from 'constructs';

/** How much a finding matters: an error stops the synth; a warning and a note are reported. */
export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
  NOTE = 'note',
}

/** A whole-mesh check: its stable code, severity and what to do about it (the docs entry). */
export interface CheckRule {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fix: string;
  /** Reports an event of one synth (keys minted) rather than the mesh's state: kept out of `lint.json`. */
  readonly event?: boolean;
}

const rule = (code: string, severity: Severity, title: string, fix: string, event?: boolean): CheckRule => ({ code, severity, title, fix, event });

/**
 * Every whole-mesh check, by code. Codes are stable: a check that goes away leaves its code unused, a new
 * one takes the next free code. `docs/codes.md` is generated from this table (`npm run docs:codes`).
 */
export const CHECKS = {
  // Errors: the synth stops and writes nothing.
  noCluster: rule('MCM001', Severity.ERROR, 'The mesh has no cluster', 'Add a MeshCluster.'),
  clusterNameTwice: rule('MCM002', Severity.ERROR, 'Two clusters share a name', 'Give every cluster its own name.'),
  hostTwice: rule('MCM003', Severity.ERROR, 'A global host is declared twice', 'Declare each global service once, with all its serving clusters.'),
  servesAndConsumes: rule('MCM004', Severity.ERROR, 'A cluster both serves and consumes a .global host', 'Drop the serving cluster from the consumers, or stop other clusters consuming its instance.'),
  servesWithoutGateway: rule('MCM005', Severity.ERROR, 'A cluster serves other clusters but has no gateway', 'Set gateway.address on the serving cluster.'),
  routeTwice: rule('MCM006', Severity.ERROR, 'A service has several VersionedRoutes', 'Declare one route per service, with all its rules and clients.'),
  policySelectsNothing: rule('MCM007', Severity.ERROR, 'An access policy selects no workload the mesh declares', 'Fix the selector, or set clusters where the workloads run.'),
  unknownDestination: rule('MCM008', Severity.ERROR, 'An Argo CD destination names no cluster of the mesh', 'Use a cluster name of the mesh in gitOps.destinations.'),
  externalHostTwice: rule('MCM009', Severity.ERROR, 'An external host is declared twice', 'Declare each external host in one ExternalService.'),
  originationScopedAway: rule('MCM037', Severity.ERROR, 'Workloads that originate TLS to an external service are scoped away from it', 'Add the service to their ClientNamespace\'s callsExternal, or drop the workloads from tls.workloads.'),
  credentialFromTwoStores: rule('MCM036', Severity.ERROR, 'One TLS origination Secret is read from two stores', 'Give every external service that shares a credentialName in a namespace the same credentialStore.'),
  globalOptionUnused: rule('MCM010', Severity.ERROR, 'A .global option in a topology without .global names', 'Remove it, or keep a service\'s .global name (keepGlobalName) during a move.'),
  keptNameOnRemote: rule('MCM011', Severity.ERROR, 'A kept .global name reaches a remote cluster', 'Keep .global names only between primaries.'),
  clusterLocalShadows: rule('MCM012', Severity.ERROR, 'A cluster-local host shadows a global service', 'Remove or narrow the clusterLocalHosts pattern.'),
  networkWithoutGateway: rule('MCM013', Severity.ERROR, 'A consumer reaches a network without an east-west gateway', 'Set gateway.address on a cluster of that network.'),
  remoteRouteClient: rule('MCM014', Severity.ERROR, 'A remote cluster is a route client', 'Name its primary as the client; its routes serve the remote too.'),
  vmOnRemote: rule('MCM015', Severity.ERROR, 'A VM joins through a remote cluster', 'Use the remote\'s primary.'),
  l7PolicyInAmbient: rule('MCM016', Severity.ERROR, 'An L7 access policy in the ambient topology', 'Drop methods, or use the multi-network topology.'),
  vmInAmbient: rule('MCM017', Severity.ERROR, 'A VM in the ambient topology', 'Run the workload in a cluster, or use the multi-network topology.'),
  callResolvesNowhere: rule('MCM018', Severity.ERROR, 'A client namespace calls a service its cluster neither serves nor consumes (an external one: does not declare)', 'Add the cluster to the service\'s consumers (an external service\'s clusters), or drop the call.'),
  clientScopeInAmbient: rule('MCM019', Severity.ERROR, 'A client namespace in the ambient topology', 'Drop it: ztunnel reads no Sidecar; scope with waypoints, or use the multi-network topology.'),
  overLimit: rule('MCM020', Severity.ERROR, 'A rendered object exceeds what Kubernetes accepts', 'Split what the object holds (see the message for the limit).'),
  topologyBroken: rule('MCM021', Severity.ERROR, 'The rendered bundles break the topology\'s rules', 'See the message: each line names the objects and what must agree.'),
  passthroughOverlap: rule('MCM022', Severity.ERROR, 'Two Gateways pass through overlapping hosts on the same pods and port', 'Remove one of them, or narrow its hosts.'),
  hostConflict: rule('MCM023', Severity.ERROR, 'One host in two namespaces, or one port with two protocols', 'Declare each host once, each port with one protocol.'),
  gatewayProtocolConflict: rule('MCM024', Severity.ERROR, 'Two Gateways serve one port of the same pods with listeners of different kinds', 'Move one of them to another port.'),
  sidecarsOverlap: rule('MCM025', Severity.ERROR, 'Two Sidecars apply to the same workloads of a namespace', 'Declare the namespace once with all its calls, or give each ClientNamespace a selector of different workloads.'),
  externalOptionInAmbient: rule('MCM026', Severity.ERROR, 'TLS origination that ambient cannot carry out', 'Originate TLS at the egress waypoint (egressGateway: true) without a credential, or use the multi-network topology.'),
  policyBehindWaypoint: rule('MCM027', Severity.ERROR, 'An access policy over the pods of a routed service in the ambient topology', 'Drop the policy or the route, or use the multi-network topology.'),
  // Errors of one construct or file, raised where they are found.
  invalidProperty: rule('MCM030', Severity.ERROR, 'A construct property is invalid', 'The message names the construct, the property, the value and what is allowed.'),
  lockFile: rule('MCM031', Severity.ERROR, 'The VIP lock file is invalid or conflicts', 'Fix the entry the message names, or restore the file from Git.'),
  caMaterial: rule('MCM032', Severity.ERROR, 'CA material cannot be used', 'Give the file the message asks for, or follow its rotation step.'),
  corefile: rule('MCM033', Severity.ERROR, 'The cluster\'s Corefile cannot take the .global zone', 'Pass the cluster\'s whole current Corefile, without a .global block.'),
  nameClash: rule('MCM034', Severity.ERROR, 'Two objects of a cluster share kind, namespace and name', 'Rename one of the two constructs the message names.'),
  appSetup: rule('MCM035', Severity.ERROR, 'The app is not set up for a mesh', 'Use MeshApp, one mesh per app, and an outdir the cdk8s CLI does not empty.'),
  // Warnings: the synth writes, and says what is likely wrong.
  noCa: rule('MCM101', Severity.WARNING, 'No shared CA', 'Set ca: MeshCa.generate() or MeshCa.fromFiles(...).'),
  keysMinted: rule('MCM102', Severity.WARNING, 'CA keys were generated', 'Back up the key store; apply cacerts before installing Istio.', true),
  certificateExpiring: rule('MCM103', Severity.WARNING, 'A root or intermediate expires soon', 'Rotate it (rotateIntermediatesDaysBefore, rootRotation).'),
  intermediateRotated: rule('MCM104', Severity.WARNING, 'An intermediate was re-issued', 'Apply the cluster\'s new cacerts.', true),
  rootRotation: rule('MCM105', Severity.WARNING, 'A root rotation is in progress', 'Apply the stage everywhere, check it, then render the next.'),
  unreachableRule: rule('MCM106', Severity.WARNING, 'A route rule can never match', 'Reorder the rules or narrow the earlier match.'),
  oneHostSubsets: rule('MCM107', Severity.WARNING, 'Subsets that reach one host', 'See the message: the subsets cannot split traffic as written.'),
  istioCoreDns: rule('MCM108', Severity.WARNING, 'A DNS mode that needs istiocoredns', 'Use GlobalDns.dnsProxy() or staticZone() on current Istio.'),
  staleVips: rule('MCM109', Severity.WARNING, 'The lock file keeps VIPs of removed services', 'Free them with pruneVips: true once no client has them cached.'),
  visibleHosts: rule('MCM110', Severity.WARNING, 'Sidecars see more .global entries than the budget', 'Give services explicit consumers, or scope namespaces with Sidecar egress hosts.'),
  failoverNeverEngages: rule('MCM111', Severity.WARNING, 'Locality failover that can never engage', 'Fail over from a region the route\'s clients are in to one where the service runs.'),
  gatewayFilterChains: rule('MCM112', Severity.WARNING, 'A gateway holds more SNI filter chains than the budget', 'Serve fewer hosts or subsets from the cluster, or prune uncalled services.'),
  largeObject: rule('MCM113', Severity.WARNING, 'An object too large for client-side kubectl apply', 'Apply with --server-side (Argo CD: ServerSideApply=true).'),
  proxyPort: rule('MCM114', Severity.WARNING, 'A workload listens on a port Istio\'s proxy uses', 'Move the application to another port and set targetPort (or the VM instance\'s port).'),
  nodePortRange: rule('MCM115', Severity.WARNING, 'A NodePort outside Kubernetes\' default range', 'Use a port from 30000 to 32767, unless the API server\'s --service-node-port-range holds it.'),
  ineffectiveMatch: rule('MCM116', Severity.WARNING, 'A route match that never applies', 'Drop the match, or move its rule above the one that takes its requests.'),
  portOnlyExternal: rule('MCM117', Severity.WARNING, 'An external TCP service that sidecars match by port alone', 'Give its addresses, or let the calling clusters\' sidecars capture DNS (GlobalDns.dnsProxy()).'),
  l7PolicyOnOpaquePort: rule('MCM118', Severity.WARNING, 'An access policy with methods or paths over a port that carries no HTTP', 'Set ports to the HTTP ones, and allow the other port in a policy without methods and paths.'),
  registryOnlyInAmbient: rule('MCM119', Severity.WARNING, 'REGISTRY_ONLY in the ambient topology, which ztunnel does not enforce', 'Send external services through the egress waypoint (egressGateway: true) and control it with AuthorizationPolicies, or drop it.'),
  undiscoveredNamespace: rule('MCM120', Severity.WARNING, 'A namespace istiod must discover is left unlabelled', 'Label the namespace istio-discovery=enabled (or with one of the discovery scope\'s own label sets), or let the bundle manage it (namespaceOverrides).'),
  // Notes: assumptions to confirm once.
  targetPortAssumed: rule('MCM201', Severity.NOTE, 'A port without targetPort', 'Confirm the containers listen on the service port, or set targetPort.'),
  corefileWithoutReload: rule('MCM202', Severity.NOTE, 'A Corefile without the reload plugin', 'Add reload to the Corefile, or restart CoreDNS after each apply (the cluster\'s README says how).'),
} as const;

/** One finding of a synth. */
export interface Finding {
  readonly code: string;
  /** @default false */
  readonly event?: boolean;
  readonly severity: Severity;
  /** The construct it is about (its path), or the mesh's. */
  readonly construct: string;
  readonly message: string;
}

/** A finding from a message that starts with its construct, `[path] ...`. */
export function finding(check: CheckRule, message: string): Finding {
  return { code: check.code, severity: check.severity, construct: /^\[([^\]]*)\]/.exec(message)?.[1] ?? '', message, event: check.event };
}

/** How a finding reads in the synth's report: the message and its code. */
export const describeFinding = (f: Finding) => `${f.message} [${f.code}]`;

const SUPPRESSIONS = Symbol.for('cdk8s-istio-multicluster.Suppressions');

/**
 * Suppresses a warning or note for a construct and everything inside it, with the reason, as Istio's
 * `galley.istio.io/analyze-suppress` does for its analyzers: the finding leaves the synth's report and
 * stays in `lint.json`, marked with the reason. Errors cannot be suppressed.
 *
 * @example
 * suppressFinding(cluster2, 'MCM110', 'test cluster: startup time does not matter');
 */
export function suppressFinding(scope: IConstruct, code: string, reason: string): void {
  const check = Object.values(CHECKS).find(c => c.code === code);
  if (!check) throw new Error(`[${scope.node.path}] suppressFinding: ${code} is no check's code: see docs/codes.md`);
  if (check.severity === Severity.ERROR) throw new Error(`[${scope.node.path}] suppressFinding: ${code} is an error, which stops the synth whatever you say: fix it`);
  if (!reason.trim()) throw new Error(`[${scope.node.path}] suppressFinding: ${code} needs a reason, for the reviewer who reads lint.json`);
  const holder = scope as unknown as { [SUPPRESSIONS]?: Map<string, string> };
  if (!holder[SUPPRESSIONS]) Object.defineProperty(scope, SUPPRESSIONS, { value: new Map<string, string>(), enumerable: false });
  holder[SUPPRESSIONS]!.set(code, reason);
}

/**
 * The suppressions declared on `constructs` (an app's, all of them: a suppression on the app or on a
 * construct around a mesh covers the mesh): for a finding, the reason given on its construct or the
 * nearest construct around it. @internal
 */
export function suppressions(constructs: readonly IConstruct[]): (f: Finding) => string | undefined {
  const declared = constructs
    .map(c => [c.node.path, (c as unknown as { [SUPPRESSIONS]?: Map<string, string> })[SUPPRESSIONS]] as const)
    .filter((e): e is readonly [string, Map<string, string>] => e[1] !== undefined)
    .sort((a, b) => b[0].length - a[0].length);
  return f => declared.find(([path, codes]) => codes.has(f.code) && (path === '' || f.construct === path || f.construct.startsWith(`${path}/`)))?.[1].get(f.code);
}

/** The file of a synth's findings beside the bundles, for CI annotations. */
export const LINT_FILE = 'lint.json';

/**
 * `lint.json`: every warning and note of the mesh's state (not one-off events), suppressed ones with their
 * reason, sorted so that it changes only when a finding does.
 */
export function lintReport(findings: ReadonlyArray<Finding & { readonly suppressed?: string }>): string {
  const rows = findings.filter(f => !f.event)
    .map(f => ({ code: f.code, severity: f.severity, construct: f.construct, message: f.message, suppressed: f.suppressed }))
    .sort((a, b) => `${a.code}|${a.construct}|${a.message}` < `${b.code}|${b.construct}|${b.message}` ? -1 : 1);
  return `${JSON.stringify({ findings: rows }, null, 2)}\n`;
}
