import { IConstruct } from 'constructs';
import { inKeyOrder } from './order';
import { checkAnnotations, checkLabels } from './validation/names';

const METADATA = Symbol.for('cdk8s-istio-multicluster.MeshMetadata');

/**
 * Labels and annotations for what the mesh renders from one construct, on top of the mesh's own:
 * `MeshMetadata.of(cluster)` marks every object of that cluster's bundle, `MeshMetadata.of(service)` (or a
 * route, VM, access policy) every object rendered for it, in whichever clusters. The more specific wins:
 * the mesh's, then the cluster's, then the construct's, then what the object sets itself (selectors and
 * Istio's own labels are never overridden).
 *
 * @example
 * MeshMetadata.of(payments).addLabel('team', 'payments');
 * MeshMetadata.of(cluster1).addAnnotation('argocd.argoproj.io/sync-wave', '5');
 */
export class MeshMetadata {
  /** The metadata of a construct (created on first use). */
  public static of(construct: IConstruct): MeshMetadata {
    const holder = construct as unknown as { [METADATA]?: MeshMetadata };
    if (!holder[METADATA]) {
      Object.defineProperty(construct, METADATA, { value: new MeshMetadata(construct), enumerable: false });
    }
    return holder[METADATA]!;
  }

  private readonly labelMap: { [key: string]: string } = {};
  private readonly annotationMap: { [key: string]: string } = {};

  private constructor(private readonly scope: IConstruct) {}

  /** Adds a label to every object rendered from the construct. */
  public addLabel(key: string, value: string): void {
    checkLabels(this.scope, 'MeshMetadata label', { [key]: value });
    this.labelMap[key] = value;
  }

  /** Adds an annotation to every object rendered from the construct. */
  public addAnnotation(key: string, value: string): void {
    checkAnnotations(this.scope, 'MeshMetadata annotation', { [key]: value });
    this.annotationMap[key] = value;
  }

  /** The labels added so far. */
  public get labels(): { readonly [key: string]: string } {
    return { ...this.labelMap };
  }

  /** The annotations added so far. */
  public get annotations(): { readonly [key: string]: string } {
    return { ...this.annotationMap };
  }
}

/** Labels and annotations that apply together. */
export interface MetadataLayer {
  readonly labels: { readonly [key: string]: string };
  readonly annotations: { readonly [key: string]: string };
}

/**
 * The scopes of a construct that carry MeshMetadata, outermost first: found once per construct, as every
 * cluster's bundle asks for the services it renders, and most meshes have none.
 */
const metadataScopes = new WeakMap<IConstruct, readonly IConstruct[]>();
function scopesWithMetadata(construct: IConstruct): readonly IConstruct[] {
  let scopes = metadataScopes.get(construct);
  if (!scopes) {
    scopes = construct.node.scopes.filter(scope => (scope as unknown as { [METADATA]?: MeshMetadata })[METADATA] !== undefined);
    metadataScopes.set(construct, scopes);
  }
  return scopes;
}

/**
 * The metadata added to `constructs` and the constructs around them, merged in order (a later one wins;
 * within one construct's scopes, the innermost). A scope shared with an earlier construct (the mesh around
 * both a cluster and a service) applies once, where it first appears, so it never overrides what the
 * earlier, more specific construct set. @internal
 */
export function metadataLayer(base: MetadataLayer, constructs: readonly IConstruct[]): MetadataLayer {
  // Most meshes add no metadata anywhere: the base, without a copy per object rendered.
  if (constructs.every(construct => scopesWithMetadata(construct).length === 0)) return base;
  let labels = base.labels;
  let annotations = base.annotations;
  const applied = new Set<IConstruct>();
  for (const construct of constructs) {
    for (const scope of scopesWithMetadata(construct)) {
      if (!applied.has(scope)) {
        applied.add(scope);
        const metadata = (scope as unknown as { [METADATA]: MeshMetadata })[METADATA];
        labels = { ...labels, ...metadata.labels };
        annotations = { ...annotations, ...metadata.annotations };
      }
    }
  }
  // In key order, as rendered objects keep their metadata as it is (see `inKeyOrder`).
  return { labels: inKeyOrder(labels), annotations: inKeyOrder(annotations) };
}
