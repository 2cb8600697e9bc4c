import * as fs from 'fs';
import Ajv from 'ajv';
import { CODES_FILE, codesMarkdown } from '../../scripts/lint-codes';
import { CHECKS, GlobalService, MeshCluster, Severity, suppressFinding } from '../../src';
import { bundleFile, synthOnce, testMesh } from '../support/synth';

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
