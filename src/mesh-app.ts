import { CHECKS } from './validation/findings';
import * as path from 'path';
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Mesh, MESH_APP_SYMBOL } from './mesh';
import { MeshCluster } from './mesh-cluster';
import { renderMesh } from './render/render-mesh';
import { KUSTOMIZED_LAYERS } from './render/cluster-bundle';
import { withoutUndefined } from './render/manifest';
import { MeshInventory, meshInventory, resolveMesh } from './resolve/resolved-mesh';
import { MeshConfigError } from './validation/errors';
import { describeFinding, Finding, LINT_FILE, lintReport, Severity, suppressions } from './validation/findings';
import { meshRules } from './validation/mesh-rules';
import { writeOutputs, WriteReport } from './write/bundle-writer';
import { OutputFile, OutputRoot } from './write/output-file';

/** Properties of a {@link MeshApp}. */
export interface MeshAppProps extends Omit<AppProps, 'outdir'> {
  /**
   * Directory of the per-cluster bundles (`<outdir>/<cluster>/{ca,istio,mesh}/`), meant to be committed.
   * The app's other charts are written there too, unless the cdk8s CLI runs the app (then they go to the
   * CLI's output directory, with each cluster's manifests). It must not be the CLI's output directory:
   * the CLI empties that before every synth, which would drop files placed next to the bundles and lose
   * the last good bundles on a failed synth.
   * @default 'dist'
   */
  readonly outdir?: string;

  /**
   * Directory of files that carry private keys (the `cacerts` Secrets), never committed:
   * it is created mode 0700 with a `.gitignore` that ignores everything in it.
   * @default 'secrets'
   */
  readonly secretsOutdir?: string;
}

/**
 * The cdk8s App of a mesh: validates it, renders each cluster into a bundle with stable, reviewable output,
 * and synthesizes the app's other charts as cdk8s does.
 *
 * A {@link MeshCluster} is a Chart: objects you add to it land in its bundle (`resources.yaml`), and
 * `Testing.synth(cluster)` returns what its bundle applies.
 */
export class MeshApp extends App {
  /** Whether `x` is a MeshApp (works across copies of this library). */
  public static isMeshApp(x: unknown): x is MeshApp {
    return x !== null && typeof x === 'object' && MESH_APP_SYMBOL in x;
  }

  /** Directory of the per-cluster bundles. */
  public readonly bundlesOutdir: string;
  public readonly secretsOutdir: string;
  /** The cdk8s CLI's output directory when the CLI runs the app. */
  private readonly cliOutdir?: string;
  private rendered?: OutputFile[];
  private findings: Array<Finding & { readonly suppressed?: string }> = [];

  public constructor(props: MeshAppProps = {}) {
    const bundlesOutdir = props.outdir ?? 'dist';
    const cliOutdir = process.env.CDK8S_OUTDIR || undefined;
    super({ ...props, outdir: cliOutdir ?? bundlesOutdir });
    Object.defineProperty(this, MESH_APP_SYMBOL, { value: true });
    this.bundlesOutdir = bundlesOutdir;
    this.secretsOutdir = props.secretsOutdir ?? 'secrets';
    this.cliOutdir = cliOutdir;
  }

  /**
   * The charts cdk8s writes: all of them for the cdk8s CLI (each cluster's manifests included, so
   * `cdk8s synth --stdout` prints real objects); otherwise the ones that are not clusters, whose output
   * is their bundle.
   */
  public get charts(): Chart[] {
    if (this.cliOutdir) return super.charts;
    // Most apps have no chart besides their clusters: then there is nothing to sort, and cdk8s's sort builds
    // a graph of the whole tree (thousands of services).
    const own = (c: IConstruct) => Chart.isChart(c) && !MeshCluster.isMeshCluster(c);
    return this.node.findAll().some(own) ? super.charts.filter(own) : [];
  }

  /** Validates, renders and writes every cluster bundle, then the app's other charts. Nothing is written when anything fails. */
  public synth(): void {
    if (this.cliOutdir && path.resolve(this.cliOutdir) === path.resolve(this.bundlesOutdir)) {
      throw new MeshConfigError(`the cdk8s CLI writes to ${this.cliOutdir}, which is also MeshApp's bundle directory: the CLI empties it before every synth, `
        + 'so your files there and the last good bundles would be lost. Set `output: cdk8s.out` in cdk8s.yaml (and ignore it in Git), or give MeshApp another outdir', CHECKS.appSetup);
    }
    if (this.cliOutdir && this.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
      // That layout reads a chart's constructs instead of its toJson(), and clusters hold their objects as JSON.
      throw new MeshConfigError('yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE cannot write the clusters\' objects for the cdk8s CLI: use FILE_PER_CHART (the default), FILE_PER_APP or FILE_PER_RESOURCE; the per-cluster bundles are written either way', CHECKS.appSetup);
    }
    const report = writeOutputs(this._synthFiles(), { bundles: this.bundlesOutdir, secrets: this.secretsOutdir });
    // Without charts to write, cdk8s would only validate every construct again, which rendering just did.
    if (this.charts.length > 0) super.synth();
    printReport(report, this.warnings, this.notes);
  }

  /** Everything `synth()` writes for the meshes, in memory. Rendering happens once per app. @internal */
  public _synthFiles(): OutputFile[] {
    if (!this.rendered) {
      const constructs = this.node.findAll();
      // Listed once for the rules, the resolution and the suppressions: a mesh of thousands of services is walked and sorted once.
      const meshes = constructs.filter(Mesh.isMesh).map(mesh => ({ mesh, inventory: meshInventory(mesh) }));
      this.validateMeshes(constructs, meshes);
      const models = meshes.map(({ mesh, inventory }) => resolveMesh(mesh, inventory));
      const renders = models.map(renderMesh);
      const suppressed = suppressions(constructs);
      this.findings = models.flatMap((m, i) => [...m.warnings, ...renders[i].warnings, ...m.notes].map(f => ({ ...f, suppressed: suppressed(f) })));
      this.rendered = [
        ...renders.flatMap(r => r.files),
        ...(models.length > 0 ? [{ root: OutputRoot.BUNDLES, path: LINT_FILE, content: lintReport(this.findings) }] : []),
      ];
    }
    return this.rendered;
  }

  /**
   * The objects a cluster's bundle applies, layer by layer in kustomization order (what `kubectl apply -k`
   * gets), without undefined members: cdk8s writes those as null. @internal
   */
  public _clusterManifests(cluster: MeshCluster): object[] {
    const files = new Map(this._synthFiles().filter(f => f.root === OutputRoot.BUNDLES).map(f => [f.path, f]));
    return KUSTOMIZED_LAYERS.flatMap(layer => {
      const kustomization = files.get(`${cluster.clusterName}/${layer}/kustomization.yaml`);
      if (!kustomization) return [];
      const [{ resources }] = kustomization.content as Array<{ resources: string[] }>;
      return resources.flatMap(r => (files.get(`${cluster.clusterName}/${layer}/${r}`)!.content as object[]).map(withoutUndefined));
    });
  }

  /**
   * What the last synth found likely wrong without stopping (also printed by `synth()`), one sentence each
   * that names the construct: for CI annotations, or a test that wants none.
   */
  public get warnings(): readonly string[] {
    return this.findings.filter(f => f.severity === Severity.WARNING && !f.suppressed).map(describeFinding);
  }

  /** Assumptions the last synth rests on, for the user to confirm once (also printed by `synth()`). */
  public get notes(): readonly string[] {
    return this.findings.filter(f => f.severity === Severity.NOTE && !f.suppressed).map(describeFinding);
  }

  private validateMeshes(constructs: readonly IConstruct[], meshes: ReadonlyArray<{ readonly mesh: Mesh; readonly inventory: MeshInventory }>): void {
    // A problem that already names its construct (`[mesh/httpbin] ...`) is reported as it is.
    const errors = [
      ...constructs.flatMap(c => c.node.validate().map(e => (e.startsWith('[') ? e : `[${c.node.path}] ${e}`))),
      // Whole-mesh rules, once every construct is declared.
      ...meshes.flatMap(({ mesh, inventory }) => meshRules(mesh, inventory).flatMap(rule => rule.check().map(e => `${e.startsWith('[') ? e : `[${mesh.node.path}] ${e}`} [${rule.rule.code}]`))),
    ];
    if (meshes.length > 1) {
      // Their bundles would share dist/<cluster>/ and dist/mesh.md.
      errors.push(`[${this.node.path || 'app'}] holds ${meshes.length} meshes (${meshes.map(m => m.mesh.node.path).join(', ')}): give each mesh its own MeshApp and outdir`);
    }
    if (errors.length > 0) {
      throw new MeshConfigError(`the mesh is not valid; nothing was written:\n  ${errors.join('\n  ')}`);
    }
  }
}

const NOTES_SHOWN = 10;

/** The synth report goes to stderr: the cdk8s CLI keeps an app's stdout to itself. */
function printReport(report: WriteReport, warnings: readonly string[], notes: readonly string[]): void {
  warnings.forEach(w => console.error(`warning: ${w}`));
  // Notes are one per service: a mesh of thousands would bury the report, so show a few and count the rest.
  notes.slice(0, NOTES_SHOWN).forEach(n => console.error(`note: ${n}`));
  if (notes.length > NOTES_SHOWN) console.error(`note: ... and ${notes.length - NOTES_SHOWN} more like these`);
  const lines = [
    ...report.written.map(f => `  written    ${f}`),
    ...report.removed.map(f => `  removed    ${f}`),
  ];
  console.error(`mesh synthesized: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed`);
  if (lines.length > 0) console.error(lines.join('\n'));
}
