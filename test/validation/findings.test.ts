import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { ApiObject } from 'cdk8s';
import { CODES_FILE, codesMarkdown } from '../../scripts/lint-codes';
import {
  AccessPolicy, CHECKS, GlobalDns, GlobalService, Mesh, MeshApp, MeshCa, MeshCluster, MeshConfigError, Principal, Severity, suppressFinding,
} from '../../src';
import { bundleFile, synthOnce, tempDir, testMesh } from '../support/synth';

/** The shape of lint.json, which CI annotation steps read. */
const LINT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['findings'],
  properties: {
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'severity', 'construct', 'message'],
        properties: {
          code: { type: 'string', pattern: '^MCM[0-9]{3}$' },
          severity: { enum: ['warning', 'note'] },
          construct: { type: 'string' },
          message: { type: 'string' },
          suppressed: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

test('every check has a unique, stable-looking code whose range says its severity, and a docs entry', () => {
  const checks = Object.values(CHECKS);
  expect(new Set(checks.map(c => c.code)).size).toBe(checks.length);
  const range = { [Severity.ERROR]: '0', [Severity.WARNING]: '1', [Severity.NOTE]: '2' };
  for (const check of checks) {
    expect([check.code, /^MCM\d{3}$/.test(check.code), check.code[3]]).toEqual([check.code, true, range[check.severity]]);
    expect(codesMarkdown()).toContain(`| ${check.code} | ${check.title} | ${check.fix} |`);
  }
  expect(fs.readFileSync(CODES_FILE, 'utf8')).toBe(codesMarkdown()); // refresh with npm run docs:codes
});

test('errors end with their code', () => {
  const { app } = testMesh();
  expect(() => app.synth()).toThrow(/\[mesh\] the mesh has no cluster: add one with .* \[MCM001\]/);
});

test('lint.json lists warnings and notes with codes; a suppression (with its reason) moves a warning out of the report', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  const c2 = new MeshCluster(mesh, 'c2');
  new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1] }); // no targetPort: a note
  suppressFinding(c2, 'MCM101', 'a two-cluster lab where istiod roots do not matter'); // the mesh-level warning is not c2's
  suppressFinding(mesh, 'MCM101', 'a two-cluster lab where istiod roots do not matter');
  synthOnce(app);
  const lint = JSON.parse(bundleFile(app, 'lint.json'));
  const validate = new Ajv().compile(LINT_SCHEMA);
  expect([validate(lint), validate.errors]).toEqual([true, null]);
  expect(lint.findings.map((f: any) => [f.code, f.severity, f.construct, f.suppressed])).toEqual([
    ['MCM101', 'warning', 'mesh', 'a two-cluster lab where istiod roots do not matter'],
    ['MCM201', 'note', 'mesh/web', undefined],
  ]);
  expect(app.warnings).toEqual([]);
  expect(app.notes).toEqual([expect.stringMatching(/^\[mesh\/web\] serving clusters send web.shop.global traffic .* \[MCM201\]$/)]);

  expect(() => suppressFinding(c1, 'MCM001', 'x')).toThrow(/MCM001 is an error, which stops the synth whatever you say/);
  expect(() => suppressFinding(c1, 'MCM999', 'x')).toThrow(/MCM999 is no check's code: see docs\/codes.md/);
  expect(() => suppressFinding(c1, 'MCM110', ' ')).toThrow(/MCM110 needs a reason/);
});

test('a suppression on a construct around the mesh (the app, a wrapper construct) covers the mesh\'s findings', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'c2');
  new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1] });
  suppressFinding(app, 'MCM101', 'every mesh of this app is a lab');
  suppressFinding(app, 'MCM201', 'the services listen on their service ports');
  synthOnce(app);
  expect(JSON.parse(bundleFile(app, 'lint.json')).findings.map((f: any) => [f.code, f.construct, f.suppressed])).toEqual([
    ['MCM101', 'mesh', 'every mesh of this app is a lab'],
    ['MCM201', 'mesh/web', 'the services listen on their service ports'],
  ]);
  expect([app.warnings, app.notes]).toEqual([[], []]);
});

describe('errors raised where they are found carry their category\'s code', () => {
  const KUBEADM = '.:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n';
  test.each([
    ['MCM030', 'a construct property', ({ mesh }: Ctx) => new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1', port: 70000 } })],
    ['MCM031', 'the lock file', ({ app, mesh, dir }: Ctx) => {
      fs.writeFileSync(path.join(dir, 'mesh.lock.json'), '{ not json');
      new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } })] });
      app.synth();
    }],
    ['MCM033', 'a Corefile', ({ app, mesh }: Ctx) => {
      new MeshCluster(mesh, 'c1', { dns: GlobalDns.staticZone({ corefile: `${KUBEADM}global:53 {\n  forward . 1.1.1.1\n}\n` }) });
      app.synth();
    }],
    ['MCM034', 'a name clash', ({ app, mesh }: Ctx) => {
      const c1 = new MeshCluster(mesh, 'c1');
      new ApiObject(c1, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
      app.synth();
    }],
    ['MCM035', 'the app setup', ({ app }: Ctx) => new AccessPolicy(app, 'p', { namespace: 'a', selector: { app: 'a' }, principals: [Principal.namespace('a')] })],
  ])('%s: %s', (code, _, trigger) => {
    const dir = tempDir();
    const { app, mesh } = testMesh({}, dir);
    let error: unknown;
    try {
      trigger({ app, mesh, dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MeshConfigError);
    expect([(error as MeshConfigError).code, (error as Error).message.endsWith(`[${code}]`)]).toEqual([code, true]);
  });

  test('MCM032: CA material', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'junk.pem'), 'junk');
    const { app, mesh } = testMesh({ ca: MeshCa.fromFiles({ rootCertFile: path.join(dir, 'junk.pem'), rootKeyFile: path.join(dir, 'junk.pem'), keyStore: path.join(dir, 'keys') }) }, dir);
    new MeshCluster(mesh, 'c1');
    expect(() => app.synth()).toThrow(/is not a PEM certificate .* \[MCM032\]$/);
  });

  test('every code is triggered by some test', () => {
    // A test that triggers a check asserts its code (`[MCM018]`), or lists it in a table of triggers.
    const sources = ['test', 'examples'].flatMap(dir => (fs.readdirSync(path.join(__dirname, '../..', dir), { recursive: true }) as string[])
      .filter(f => f.endsWith('.test.ts')).map(f => fs.readFileSync(path.join(__dirname, '../..', dir, f), 'utf8')))
      .join('\n');
    expect(Object.values(CHECKS).map(c => c.code).filter(code => !sources.includes(code))).toEqual([]);
  });
});

interface Ctx {
  readonly app: MeshApp;
  readonly mesh: Mesh;
  readonly dir: string;
}
