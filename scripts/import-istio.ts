/**
 * Regenerates `imports/` from the Istio CRD bundle, offline.
 *
 * The bundle is trimmed first to the CRDs in IMPORTED_CRDS and to their `v1` version only: the full
 * bundle makes a 1.2 MB module with `ServiceEntryV1Beta1`-style duplicates that slow every compile.
 *
 * It also writes the schema extracts the tests validate against: test/fixtures/istio-crd-schemas.json, and
 * test/fixtures/tool-schemas.json (GitOps, secrets and monitoring CRDs, the gateway chart's values schema).
 *
 * Usage: npm run import  (reads $ISTIO_CRDS or ../shared/istio/crd-all.gen.yaml)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { IMPORTED_CRDS, IMPORTED_VERSION, istioCrdFile, loadCrds, SCHEMA_EXTRACT_FILE, schemaExtract } from './istio-crds';
import { TOOL_SCHEMA_EXTRACT_FILE, toolSchemaExtract, toolSourcesPresent } from './tool-schemas';

function main(): void {
  const source = istioCrdFile();
  if (!source) {
    throw new Error('Istio CRD bundle not found: set ISTIO_CRDS or place it at ../shared/istio/crd-all.gen.yaml');
  }
  const wanted = new Set<string>(IMPORTED_CRDS);
  const all = loadCrds(source);
  fs.mkdirSync(path.dirname(SCHEMA_EXTRACT_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_EXTRACT_FILE, schemaExtract(all));
  if (toolSourcesPresent()) fs.writeFileSync(TOOL_SCHEMA_EXTRACT_FILE, toolSchemaExtract());
  const trimmed = all
    .filter(crd => wanted.has(crd.metadata.name))
    .map(crd => ({ ...crd, spec: { ...crd.spec, versions: crd.spec.versions.filter(v => v.name === IMPORTED_VERSION) } }));
  const missing = [...wanted].filter(name => !trimmed.some(crd => crd.metadata.name === name));
  if (missing.length > 0) {
    throw new Error(`CRDs missing from ${source}: ${missing.join(', ')}`);
  }

  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-crds-'));
  const trimmedFile = path.join(workdir, 'istio-crds.yaml');
  fs.writeFileSync(trimmedFile, trimmed.map(crd => yaml.dump(crd, { noRefs: true })).join('---\n'));

  const outdir = path.resolve(__dirname, '..', 'imports');
  fs.rmSync(outdir, { recursive: true, force: true });
  // `cdk8s import` records the (temporary) source in cdk8s.yaml; the project's file stays as it is.
  const config = path.resolve(__dirname, '..', 'cdk8s.yaml');
  const configText = fs.readFileSync(config, 'utf8');
  try {
    execFileSync(path.resolve(__dirname, '..', 'node_modules', '.bin', 'cdk8s'), ['import', trimmedFile, '--language', 'typescript', '--output', outdir], {
      stdio: 'inherit',
    });
  } finally {
    fs.writeFileSync(config, configText);
  }
  fs.rmSync(workdir, { recursive: true, force: true });
  console.log(`imported ${trimmed.length} CRDs (${IMPORTED_VERSION}) from ${source} into ${path.relative(process.cwd(), outdir)}/`);
}

main();
