import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { listFiles, readYaml, tempDir } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** The files `cdk8s init typescript-app` writes that matter here, with README's two changes applied. */
const INIT_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'team-infra', version: '1.0.0', main: 'main.js', types: 'main.ts', license: 'Apache-2.0', private: true }, null, 2),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true,
      lib: ['es2016'], module: 'CommonJS', noEmitOnError: true, noFallthroughCasesInSwitch: true, noImplicitAny: true,
      noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true, resolveJsonModule: true,
      strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true, target: 'ES2017', skipLibCheck: true,
    },
    include: ['**/*.ts'],
    exclude: ['node_modules', 'cdk8s.out'],
  }, null, 2),
  // README: `output: cdk8s.out`, because the CLI empties its output directory and the bundles live in dist/.
  'cdk8s.yaml': 'language: typescript\napp: npx ts-node main.ts\noutput: cdk8s.out\n',
  'main.ts': `
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GlobalService, Mesh, MeshApp, MeshCluster } from 'cdk8s-istio-multicluster';

export class TeamChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);
    new kplus.Deployment(this, 'frontend', { containers: [{ image: 'nginx', portNumber: 8080 }] });
  }
}

const app: App = new MeshApp();
new TeamChart(app, 'team');
const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1' });
const [east, west, central] = ['east', 'west', 'central'].map((name, i) =>
  new MeshCluster(mesh, name, { network: name, gateway: { address: \`172.18.0.\${i + 3}\` } }));
const api = new kplus.Service(west, 'api', { metadata: { name: 'api', namespace: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
api.selectLabel('app', 'api');
GlobalService.fromServices(mesh, 'api', [api], { consumers: [east, central] });
app.synth();
`,
};

/** The peer versions the package declares as its oldest, installed under aliases (see package.json). */
const OLDEST_PEERS: Record<string, string> = { 'cdk8s': 'cdk8s-oldest', 'cdk8s-plus-27': 'cdk8s-plus-27-oldest', 'constructs': 'constructs-oldest' };

/** The package as `npm pack` makes it, from a fresh build; made once for every test here. */
let tarball: string;
beforeAll(() => {
  const work = tempDir('package-');
  execFileSync(bin('tsc'), ['-p', 'tsconfig.json', '--outDir', path.join(work, 'build', 'lib')], { cwd: ROOT, stdio: 'pipe' });
  for (const file of ['package.json', 'README.md', 'LICENSE']) fs.copyFileSync(path.join(ROOT, file), path.join(work, 'build', file));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: path.join(work, 'build'), encoding: 'utf8' }).trim().split('\n').pop()!;
  tarball = path.join(work, name);
});

test('the peer ranges start at the oldest versions this suite installs', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const [peer, alias] of Object.entries(OLDEST_PEERS)) {
    const oldest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', alias, 'package.json'), 'utf8')).version;
    expect([peer, pkg.peerDependencies[peer]]).toEqual([peer, `^${oldest}`]);
  }
});

test.each([
  ['the newest peers', {}],
  ['the oldest peers the package accepts', OLDEST_PEERS],
])('a cdk8s init app with the packed library and its own cdk8s-plus chart synthesizes both with `cdk8s synth`, on %s', (_, peers: Record<string, string>) => {
  // GIVEN a project made of cdk8s init's files, the tarball installed (its dependencies from this checkout)
  const project = tempDir('project-');
  fs.mkdirSync(path.join(project, 'node_modules'));
  Object.entries(INIT_FILES).forEach(([file, text]) => fs.writeFileSync(path.join(project, file), text));
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry === 'cdk8s-istio-multicluster') continue;
    const target = path.join(project, 'node_modules', entry);
    if (peers[entry]) {
      // Copied, not linked: Node resolves a linked package's own imports from where it really lives.
      fs.cpSync(path.join(ROOT, 'node_modules', peers[entry]), target, { recursive: true, dereference: true });
    } else {
      fs.symlinkSync(path.join(ROOT, 'node_modules', entry), target);
    }
  }
  const installed = path.join(project, 'node_modules', 'cdk8s-istio-multicluster');
  fs.mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  expect(listFiles(installed).filter(f => !f.startsWith('lib/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
  expect(listFiles(installed).some(f => f.endsWith('.test.js') || f.startsWith('test/'))).toBe(false);

  // WHEN the team runs the cdk8s CLI (type-checking main.ts against the package's declarations)
  execFileSync(bin('cdk8s'), ['synth', '--no-check-upgrade'], { cwd: project, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: undefined } });

  // THEN the team's chart is written as cdk8s writes it, beside each cluster's manifests
  const out = listFiles(path.join(project, 'cdk8s.out'));
  expect(out).toContain('team.k8s.yaml');
  expect(readYaml(path.join(project, 'cdk8s.out', 'team.k8s.yaml')).map(o => o.kind)).toEqual(['Deployment']);
  expect(out.filter(f => f.startsWith('mesh-'))).toHaveLength(3);
  // AND every cluster has its bundle; the serving cluster's ships the team's Service and its entry
  for (const cluster of ['central', 'east', 'west']) {
    expect(fs.existsSync(path.join(project, 'dist', cluster, 'mesh', 'kustomization.yaml'))).toBe(true);
  }
  expect(readYaml(path.join(project, 'dist', 'west', 'mesh', 'resources.yaml')).map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/api']);
  expect(readYaml(path.join(project, 'dist', 'west', 'mesh', 'global-services.yaml'))[0].spec.workloadSelector).toEqual({ labels: { app: 'api' } });
  expect(readYaml(path.join(project, 'dist', 'east', 'mesh', 'global-services.yaml'))[0].spec.hosts).toEqual(['api.shop.global']);
  // AND the package's command (npm links it into node_modules/.bin on install) reads the expected state
  // beside each bundle; here it says what it needs to run
  const command = path.join(installed, JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).bin['cdk8s-istio-multicluster']);
  expect(fs.readFileSync(command, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  const verify = spawnSync(process.execPath, [command, 'verify'], { cwd: project, encoding: 'utf8' });
  expect([verify.status, verify.stdout]).toEqual([2, expect.stringMatching(/^usage: cdk8s-istio-multicluster verify <dist\/<cluster>\/expected-state.json>/)]);
  expect(fs.existsSync(path.join(project, 'dist', 'east', 'expected-state.json'))).toBe(true);
});

test('the lock file records the package as package.json declares it, so a fresh npm install leaves it as committed', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const locked = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages[''];
  for (const field of ['name', 'version', 'license', 'bin', 'engines', 'dependencies', 'devDependencies', 'peerDependencies']) {
    expect([field, locked[field]]).toEqual([field, manifest[field]]);
  }
});

test('the lock file lists every optional dependency of every locked package, so npm ci installs from it on any platform', () => {
  // npm ci refuses a lock that misses another platform's native build ("Missing: @swc/core-darwin-arm64
  // from lock file"), even on a platform that would skip it.
  const locked: Record<string, { optionalDependencies?: Record<string, string> }> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
  /** Where Node would find `name` from the package at `from`: its own node_modules, then each parent's. */
  const resolves = (from: string, name: string): boolean => {
    for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
      if (`${base ? `${base}/` : ''}node_modules/${name}` in locked) return true;
      if (!base) return false;
    }
  };
  const missing = Object.entries(locked).flatMap(([at, entry]) => Object.keys(entry.optionalDependencies ?? {})
    .filter(name => !resolves(at, name)).map(name => `${at || '(root)'} -> ${name}`));
  expect(missing).toEqual([]);
  expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^PATH="\$oldest:\$PATH" npm ci /m);
});

/** The Node.js builds CI tests on (`.ci/run`'s SUPPORTED_NODES). */
const ciNodeBuilds = (): string[] => /^SUPPORTED_NODES=\(([^)]*)\)$/m.exec(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'))![1].split(' ');
const nodeMajor = (version: string) => Number(version.split('.')[0]);

test('package.json, CI, .nvmrc, @types/node and README name the same oldest supported Node.js line, and CI tests on it', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const oldest = /^>=(\d+)$/.exec(manifest.engines.node)?.[1];
  expect(oldest).toBeDefined();
  // CI's pinned builds: the first is the oldest line, and every one satisfies engines.
  const pinned = ciNodeBuilds();
  expect(nodeMajor(pinned[0])).toBe(Number(oldest));
  expect(pinned.filter(v => nodeMajor(v) < Number(oldest))).toEqual([]);
  expect(fs.readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(oldest);
  // Types of a newer Node would let code use what the oldest line lacks.
  expect(manifest.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${oldest}\\.`));
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(`Needs Node.js ${oldest} or later`);
});

test('CI tests one build of each Node.js line, and README names the lines it tests', () => {
  const majors = ciNodeBuilds().map(nodeMajor);
  expect(majors).toEqual([...new Set(majors)].sort((a, b) => a - b));
  // "runs the suite on Node 22, 24 and 26": a line added to CI (or dropped) without README, or the reverse, fails.
  const named = /runs the suite on Node ((?:\d+, )*\d+(?: and \d+)?)/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' '));
  expect(named).not.toBeNull();
  expect(named![1].split(/, | and /).map(Number)).toEqual(majors);
});

test('CI installs each tool the tests run that a machine may lack, and README names them beside the quick start', () => {
  const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  // kubectl kustomize builds the bundles, shellcheck reads the generated scripts, valgrind counts instructions.
  for (const [tool, debianPackage] of [['kubectl', 'kubernetes-client'], ['shellcheck', 'shellcheck'], ['valgrind', 'valgrind']]) {
    expect(ci).toMatch(new RegExp(`if ! command -v ${tool} >/dev/null 2>&1[^\\n]*; then\\n  apt-get update -qq && apt-get install -y -qq ${debianPackage} >/dev/null\\nfi`));
    expect(readme).toContain(`\`${tool}\``);
    expect(readme).toMatch(new RegExp(`apt-get install openssl [a-z -]*\\b${debianPackage}\\b`));
  }
});
