import { Construct } from 'constructs';
import { Mesh } from './mesh';
import { MeshCluster } from './mesh-cluster';
import { propError } from './validation/errors';
import { checkDnsLabel, checkLabels, isDnsSubdomain } from './validation/names';
import { HttpMethod } from './versioned-route';
import { checkPort } from './validation/network';
import { checkOneOf } from './validation/values';

const ACCESS_POLICY_SYMBOL = Symbol.for('cdk8s-istio-multicluster.AccessPolicy');

/** A workload identity that a policy admits: `<trust domain>/ns/<namespace>/sa/<service account>`. */
export class Principal {
  /** The workloads running as one service account. */
  public static serviceAccount(namespace: string, serviceAccount: string): Principal {
    return new Principal(namespace, serviceAccount);
  }

  /** Every workload of a namespace (`sa/*`, e.g. `cluster.local/ns/default/sa/*`). */
  public static namespace(namespace: string): Principal {
    return new Principal(namespace, '*');
  }

  private constructor(public readonly namespace: string, public readonly serviceAccount: string) {}

  /** The principal string for a trust domain. */
  public render(trustDomain: string): string {
    return `${trustDomain}/ns/${this.namespace}/sa/${this.serviceAccount}`;
  }
}

/** Properties of an {@link AccessPolicy}. */
export interface AccessPolicyProps {
  /**
   * The policy's name.
   * @default - the construct id
   */
  readonly name?: string;
  /** The namespace of the workloads the policy protects. */
  readonly namespace: string;
  /** Labels of the workloads the policy protects. */
  readonly selector: { readonly [label: string]: string };
  /** Who may call them. */
  readonly principals: Principal[];
  /**
   * The HTTP methods they may use.
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * The paths they may call (exact, or `prefix*`).
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * The workloads' own ports the policy allows (a service port's `targetPort`, as the proxy in front of the
   * workload sees it). An ALLOW policy denies what it does not allow: with `methods` or `paths`, a port that
   * carries no HTTP stays open only through another policy that names it here, without them.
   * @default - every port
   */
  readonly ports?: number[];
  /**
   * The clusters the policy is rendered in. Name them for workloads the mesh does not declare.
   * @default - the clusters where a global service's pods or a VM of the mesh match `namespace` and `selector`
   */
  readonly clusters?: MeshCluster[];
}

/**
 * An ALLOW AuthorizationPolicy by workload identity: with mesh-wide strict mTLS, only the
 * listed principals may call the selected workloads, the same way in every cluster.
 *
 * @example
 * new AccessPolicy(mesh, 'service-readers', {
 *   namespace: 'default', selector: { app: 'service' },
 *   principals: [Principal.namespace('default')], methods: [HttpMethod.GET, HttpMethod.POST],
 * });
 */
export class AccessPolicy extends Construct {
  /** Whether `x` is an AccessPolicy (works across copies of this library). */
  public static isAccessPolicy(x: unknown): x is AccessPolicy {
    return x !== null && typeof x === 'object' && ACCESS_POLICY_SYMBOL in x;
  }

  public readonly mesh: Mesh;
  public readonly policyName: string;
  public readonly namespace: string;
  public readonly selector: { readonly [label: string]: string };
  public readonly principals: readonly Principal[];
  public readonly methods?: readonly HttpMethod[];
  public readonly paths?: readonly string[];
  /** @default - every port */
  public readonly ports?: readonly number[];
  /** The clusters named in the props. @default - where the selected workloads run */
  public readonly clusters?: readonly MeshCluster[];

  public constructor(scope: Construct, id: string, props: AccessPolicyProps) {
    super(scope, id);
    Object.defineProperty(this, ACCESS_POLICY_SYMBOL, { value: true });
    this.mesh = Mesh.of(this);
    this.policyName = checkDnsLabel(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    if (Object.keys(props.selector).length === 0) {
      throw propError(this, 'selector', {}, 'is empty: it would protect every workload of the namespace; give the labels of the workloads to protect');
    }
    this.selector = { ...checkLabels(this, 'selector', props.selector) };
    if (props.principals.length === 0) {
      throw propError(this, 'principals', [], 'is empty: an ALLOW policy without principals denies everyone; name who may call');
    }
    props.principals.forEach((p, i) => {
      checkDnsLabel(this, `principals[${i}].namespace`, p.namespace);
      if (p.serviceAccount !== '*' && !isDnsSubdomain(p.serviceAccount)) {
        throw propError(this, `principals[${i}].serviceAccount`, p.serviceAccount, 'is not a service account name (or "*")');
      }
    });
    this.principals = props.principals;
    (props.methods ?? []).forEach((m, i) => {
      checkOneOf(this, `methods[${i}]`, m, HttpMethod, 'an HTTP method');
    });
    if (props.methods?.length === 0) {
      throw propError(this, 'methods', [], 'is empty: it would allow no request; leave it out to allow any method');
    }
    this.methods = props.methods && [...new Set(props.methods)];
    if (props.paths?.length === 0) {
      throw propError(this, 'paths', [], 'is empty: it would allow no request; leave it out to allow any path');
    }
    (props.paths ?? []).forEach((p, i) => {
      if (!PATH.test(p)) {
        throw propError(this, `paths[${i}]`, p, 'is not a path Istio matches: start it with "/" (exact), end it with "*" for a prefix (/api/*), or use "*"');
      }
      // istiod refuses braces except in its path templates ({*}, {**}), which this construct does not offer.
      if (/[{}]/.test(p)) {
        throw propError(this, `paths[${i}]`, p, 'holds "{" or "}", which istiod refuses in a path: match the literal path, or a prefix (/api/*)');
      }
      // Istio matches the request's path without its query (request.url_path): such a path allows nothing.
      if (/[?#]/.test(p)) {
        throw propError(this, `paths[${i}]`, p, 'holds a query or fragment, which Istio strips before it matches the path (request.url_path), so it would allow no request: give the path alone, e.g. /api/items');
      }
    });
    this.paths = props.paths && [...new Set(props.paths)];
    if (props.ports?.length === 0) {
      throw propError(this, 'ports', [], 'is empty: it would allow no connection; leave it out to allow every port');
    }
    this.ports = props.ports && [...new Set(props.ports.map((port, i) => checkPort(this, `ports[${i}]`, port)))].sort((a, b) => a - b);
    if (props.clusters?.length === 0) {
      throw propError(this, 'clusters', [], 'is empty: name the clusters to render the policy in, or leave it out to render it where its workloads run');
    }
    (props.clusters ?? []).forEach((c, i) => {
      if (c.mesh !== this.mesh) throw propError(this, `clusters[${i}]`, c.node.path, 'is a cluster of another mesh');
    });
    this.clusters = props.clusters && [...new Set(props.clusters)];
  }
}

/** An AuthorizationPolicy path: exact (`/a`), prefix (`/a/*`), suffix (`*.js`) or any (`*`), without spaces. */
const PATH = /^(\*|\/[^\s*]*\*?|\*[^\s*]+)$/;
