import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Mesh, MESH_APP_SYMBOL } from './mesh';
import { renderMesh } from './render/render-mesh';
import { resolveMesh } from './resolve/resolved-mesh';
import { MeshConfigError } from './validation/errors';
import { writeOutputs, WriteReport } from './write/bundle-writer';
import { OutputFile, OutputRoot } from './write/output-file';
import { toYaml } from './write/yaml';

/** Properties of a {@link MeshApp}. */
export interface MeshAppProps {
  /**
   * Directory of the per-cluster bundles (`<outdir>/<cluster>/kustomization.yaml`), meant to be committed.
   * Deliberately not `$CDK8S_OUTDIR`: the cdk8s CLI empties that directory before every synth,
   * which would drop files placed next to the bundles and lose the last good bundle on a failed synth.
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
 * The root of a mesh synthesis: validates every mesh in it, resolves and renders each into per-cluster
 * bundles, and writes them with stable, reviewable output.
 */
export class MeshApp extends App {
  /** Whether `x` is a MeshApp (works across copies of this library). */
  public static isMeshApp(x: unknown): x is MeshApp {
    return x !== null && typeof x === 'object' && MESH_APP_SYMBOL in x;
  }

  public readonly secretsOutdir: string;
  private rendered?: OutputFile[];
  private warnings: string[] = [];
  private notes: string[] = [];

  public constructor(props: MeshAppProps = {}) {
    super({ outdir: props.outdir ?? 'dist' });
    Object.defineProperty(this, MESH_APP_SYMBOL, { value: true });
    this.secretsOutdir = props.secretsOutdir ?? 'secrets';
  }

  /** Validates, renders and writes every cluster bundle. Nothing is written when anything fails. */
  public synth(): void {
    const report = writeOutputs(this._synthFiles(), { bundles: this.outdir, secrets: this.secretsOutdir });
    this.leaveNoteForCdk8sCli();
    printReport(report, this.warnings, this.notes);
  }

  /** Everything `synth()` writes, in memory. Rendering happens once per app. @internal */
  public _synthFiles(): OutputFile[] {
    if (!this.rendered) {
      this.validate();
      const models = this.node.findAll().filter(Mesh.isMesh).map(resolveMesh);
      this.rendered = models.flatMap(renderMesh);
      this.warnings = models.flatMap(m => m.warnings);
      this.notes = models.flatMap(m => m.notes);
    }
    return this.rendered;
  }

  /** Warnings of the last synth (also printed by `synth()`). @internal */
  public get _warnings(): readonly string[] {
    return this.warnings;
  }

  /** Assumptions of the last synth for the user to confirm (also printed by `synth()`). @internal */
  public get _notes(): readonly string[] {
    return this.notes;
  }

  private validate(): void {
    // A problem that already names its construct (`[mesh/httpbin] ...`) is reported as it is.
    const errors = this.node.findAll().flatMap(c => c.node.validate().map(e => (e.startsWith('[') ? e : `[${c.node.path}] ${e}`)));
    const meshes = this.node.findAll().filter(Mesh.isMesh);
    if (meshes.length > 1) {
      // Their bundles would share dist/<cluster>/ and dist/mesh.md.
      errors.push(`[${this.node.path || 'app'}] holds ${meshes.length} meshes (${meshes.map(m => m.node.path).join(', ')}): give each mesh its own MeshApp and outdir`);
    }
    if (errors.length > 0) {
      throw new MeshConfigError(`the mesh is not valid; nothing was written:\n  ${errors.join('\n  ')}`);
    }
  }

  /**
   * Under `cdk8s synth`, the CLI expects its output directory to exist and lists the YAML in it.
   * The bundles live in `outdir`; leave an index there that says where.
   */
  private leaveNoteForCdk8sCli(): void {
    const cliOutdir = process.env.CDK8S_OUTDIR;
    if (!cliOutdir || path.resolve(cliOutdir) === path.resolve(this.outdir)) {
      return;
    }
    fs.mkdirSync(cliOutdir, { recursive: true });
    const bundles = [...new Set(this.rendered!.filter(f => f.root === OutputRoot.BUNDLES && f.path.includes('/')).map(f => f.path.split('/')[0]))].sort();
    fs.writeFileSync(path.join(cliOutdir, 'bundles.yaml'),
      '# Not a manifest. cdk8s-istio-multicluster writes its bundles outside the cdk8s CLI output directory,\n'
      + '# which the CLI empties before every synth. Apply each bundle with `kubectl apply -k <dir>`.\n'
      + toYaml({ bundles: bundles.map(b => path.join(this.outdir, b)) }));
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
