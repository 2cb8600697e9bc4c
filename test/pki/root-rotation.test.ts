import { execFileSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MeshCa, MeshCluster, RootRotationStage, VmWorkload } from '../../src';
import { generateRsaKeys, issueRootCa, splitPemBundle } from '../../src/pki/x509';
import { shellcheckFindings } from '../support/shellcheck';
import { bundleFile, objectsOf, tempDir, testMesh } from '../support/synth';
import { unknownChartValueKeys } from '../support/tool-schema';

const { PREPARE, TRUST_BOTH, RESIGN, DROP_OLD } = RootRotationStage;

/** A 3-cluster mesh with a VM, its CA in `dir`, rendered at a rotation stage (or none). */
function declare(dir: string, stage?: RootRotationStage, options: { skipDwell?: boolean; istioVersion?: string } = {}) {
  const { app, mesh } = testMesh({
    meshId: 'mesh1',
    istioVersion: options.istioVersion,
    ca: MeshCa.generate({
      keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048,
      rotationStateFile: path.join(dir, 'ca-rotation.json'),
      rootRotation: stage && { stage, skipDwell: options.skipDwell ?? true },
    }),
  }, dir);
  const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'c2', { gateway: { address: '10.0.0.2' } });
  new MeshCluster(mesh, 'c3');
  new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c1, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '10.1.0.9' }] });
  app.synth();
  return app;
}

type App = ReturnType<typeof declare>;
const cacerts = (app: App, cluster: string) => Object.fromEntries(Object.entries(objectsOf(app, cluster, 'secrets').get('Secret/istio-system/cacerts')!.data!)
  .map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
const fingerprints = (bundle: string) => splitPemBundle(bundle).map(pem => new X509Certificate(pem).fingerprint256);
const storedRoot = (dir: string) => new X509Certificate(fs.readFileSync(path.join(dir, 'keys', 'mesh1', 'root', 'cert.pem'))).fingerprint256;

/** `openssl verify` of a cluster's intermediate against the roots it trusts, and of its chain's order. */
function opensslVerifies(app: App, cluster: string, dir: string): void {
  const data = cacerts(app, cluster);
  const roots = path.join(dir, `${cluster}-roots.pem`);
  const ca = path.join(dir, `${cluster}-ca.pem`);
  fs.writeFileSync(roots, data['root-cert.pem']);
  fs.writeFileSync(ca, data['ca-cert.pem']);
  expect(execFileSync('openssl', ['verify', '-CAfile', roots, ca], { encoding: 'utf8' })).toContain(': OK');
  const [intermediate, chainRoot] = splitPemBundle(data['cert-chain.pem']);
  expect(intermediate).toBe(data['ca-cert.pem']);
  expect(new X509Certificate(intermediate).checkIssued(new X509Certificate(chainRoot))).toBe(true);
}

test('a root rotation, stage by stage: each stage\'s trust, signing and install, proven with openssl on every chain', () => {
  const dir = tempDir();
  const initial = declare(dir);
  const oldRoot = storedRoot(dir);
  const oldBundle = cacerts(initial, 'c1')['root-cert.pem'];
  const installEnv = (app: App) => objectsOf(app, 'c1').get('IstioOperator/istio-system/c1')!.spec;

  // R0: the install learns multi-root; nothing is trusted yet but the old root.
  const r0 = declare(dir, PREPARE);
  expect(installEnv(r0).values.pilot).toEqual({ env: { ISTIO_MULTIROOT_MESH: 'true' } });
  expect(installEnv(r0).meshConfig.defaultConfig.proxyMetadata).toMatchObject({ PROXY_CONFIG_XDS_AGENT: 'true' });
  // The istiod chart's values are flat: its environment is `env`.
  const istiodValues = require('js-yaml').load(bundleFile(r0, 'c1/istio/istiod-values.yaml'));
  expect(istiodValues.env).toEqual({ ISTIO_MULTIROOT_MESH: 'true' });
  expect(unknownChartValueKeys('istiod', istiodValues)).toEqual([]);
  for (const cluster of ['c1', 'c2', 'c3']) {
    expect(cacerts(r0, cluster)['root-cert.pem']).toBe(oldBundle);
    opensslVerifies(r0, cluster, dir);
  }
  expect(r0.warnings).toContainEqual(expect.stringMatching(/root rotation at prepare.* \[MCM105\]$/));
  const state = () => JSON.parse(fs.readFileSync(path.join(dir, 'ca-rotation.json'), 'utf8'));
  const newRoot = state().newRoot;
  expect([state().stage, state().oldRoot]).toEqual([PREPARE, oldRoot]);
  expect(newRoot).not.toBe(oldRoot);

  // R1: every cluster and VM trusts both, the old root's bytes first; intermediates still from the old root.
  const r1 = declare(dir, TRUST_BOTH);
  for (const cluster of ['c1', 'c2', 'c3']) {
    const data = cacerts(r1, cluster);
    expect(fingerprints(data['root-cert.pem'])).toEqual([oldRoot, newRoot]);
    expect(data['root-cert.pem'].startsWith(oldBundle)).toBe(true);
    expect(new X509Certificate(data['ca-cert.pem']).issuer).toBe(new X509Certificate(splitPemBundle(oldBundle)[0]).subject);
    opensslVerifies(r1, cluster, dir);
  }
  expect(fingerprints(bundleFile(r1, 'c1/vm/shop/legacy-vm1/root-cert.pem'))).toEqual([oldRoot, newRoot]);

  // The gate: a script that checks each cluster distributes exactly this stage's roots, with a fake kubectl.
  const bin = tempDir();
  fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\ncat ${path.join(dir, 'served.pem')}\n`, { mode: 0o755 });
  const gate = path.join(dir, 'gate.sh');
  fs.writeFileSync(gate, bundleFile(r1, 'ca-rotation-check.sh'));
  expect(shellcheckFindings(bundleFile(r1, 'ca-rotation-check.sh'), 'ca-rotation-check.sh')).toEqual([]);
  const runGate = () => { try { return execFileSync('bash', [gate], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } }); } catch (e) { return `exit ${(e as { status: number }).status}: ${(e as { stdout: string }).stdout}`; } };
  fs.writeFileSync(path.join(dir, 'served.pem'), cacerts(r1, 'c1')['root-cert.pem']);
  expect(runGate()).toBe('ok   c1\nok   c2\nok   c3\n');
  fs.writeFileSync(path.join(dir, 'served.pem'), oldBundle); // a cluster that has not taken the new root yet
  expect(runGate()).toMatch(/^exit 1: FAIL c1: istio-ca-root-cert holds \[.*\], expected \[.* .*\]/);

  // R2: intermediates re-issued by the new root; both still trusted.
  const r2 = declare(dir, RESIGN);
  for (const cluster of ['c1', 'c2', 'c3']) {
    const data = cacerts(r2, cluster);
    expect(fingerprints(data['root-cert.pem'])).toEqual([oldRoot, newRoot]);
    expect(fingerprints(splitPemBundle(data['cert-chain.pem'])[1])).toEqual([newRoot]);
    opensslVerifies(r2, cluster, dir);
  }

  // R3: only the new root; the old one is tombstoned and gone from the key store.
  const r3 = declare(dir, DROP_OLD);
  for (const cluster of ['c1', 'c2', 'c3']) {
    expect(fingerprints(cacerts(r3, cluster)['root-cert.pem'])).toEqual([newRoot]);
    opensslVerifies(r3, cluster, dir);
  }
  expect(fingerprints(bundleFile(r3, 'c1/vm/shop/legacy-vm1/root-cert.pem'))).toEqual([newRoot]);
  expect(state().retiredRoots).toEqual([oldRoot]);
  expect(storedRoot(dir)).toBe(newRoot);

  // Done: without rootRotation, the mesh runs on the new root, and the inventory lists only it.
  const after = declare(dir);
  expect(fingerprints(cacerts(after, 'c3')['root-cert.pem'])).toEqual([newRoot]);
  expect(JSON.parse(bundleFile(after, 'certificates.json')).certificates.filter((c: any) => c.role === 'root').map((c: any) => c.fingerprintSha256)).toEqual([newRoot]);
});

describe('a rotation that would break trust is refused, naming the stage', () => {
  test('skipping trust-both, and dropping the old root before re-signing', () => {
    const dir = tempDir();
    declare(dir);
    declare(dir, PREPARE);
    expect(() => declare(dir, RESIGN)).toThrow(/\[mesh\] ca.rootRotation.stage resign cannot follow prepare: after prepare comes trust-both; each stage must reach every cluster before the next/);
    declare(dir, TRUST_BOTH);
    expect(() => declare(dir, DROP_OLD)).toThrow(/ca.rootRotation.stage drop-old cannot follow trust-both: after trust-both comes resign/);
    expect(() => declare(tempDir(), TRUST_BOTH)).toThrow(/ca.rootRotation.stage trust-both cannot follow no rotation: a rotation starts with prepare/);
  });

  test('advancing before workloads renewed their certificates (the dwell time)', () => {
    const dir = tempDir();
    declare(dir, PREPARE);
    expect(() => declare(dir, TRUST_BOTH, { skipDwell: false })).toThrow(/prepare was entered at .*, and workloads need 24 hours to renew their certificates under it; render trust-both after .*, or set skipDwell/);
  });

  test('a bundle Istio 1.29 would refuse (the last stage\'s bytes re-encoded), which Istio 1.30 accepts by certificate', () => {
    for (const [istioVersion, refused] of [['1.29.2', true], ['1.30.3', false]] as const) {
      const dir = tempDir();
      declare(dir, PREPARE, { istioVersion });
      const file = path.join(dir, 'ca-rotation.json');
      const state = JSON.parse(fs.readFileSync(file, 'utf8'));
      // The same certificate, PEM lines re-wrapped at 76 characters: equal as DER, different as bytes.
      const der = state.rootBundle.replace(/-----[A-Z ]+-----|\s/g, '');
      state.rootBundle = `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,76}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
      fs.writeFileSync(file, JSON.stringify(state));
      const render = () => declare(dir, TRUST_BOTH, { istioVersion });
      if (refused) expect(render).toThrow(/trust-both: every cluster's root-cert.pem would change from the bundle of prepare .* in a way istiod refuses: Istio 1.29 accepts a new root-cert.pem only if one bundle contains the other byte for byte/);
      else expect(render).not.toThrow();
    }
  });

  test('a retired root is never trusted again', () => {
    const dir = tempDir();
    declare(dir);
    const oldRootFiles = ['cert.pem', 'key.pem'].map(f => fs.readFileSync(path.join(dir, 'keys', 'mesh1', 'root', f)));
    for (const stage of [PREPARE, TRUST_BOTH, RESIGN, DROP_OLD]) declare(dir, stage);
    ['cert.pem', 'key.pem'].forEach((f, i) => fs.writeFileSync(path.join(dir, 'keys', 'mesh1', 'root', f), oldRootFiles[i]));
    expect(() => declare(dir)).toThrow(/was dropped by a finished rotation .* and must never be trusted again/);
  });
});

describe('rotating a root given by file', () => {
  const rootFiles = (dir: string, name: string) => {
    const [key] = generateRsaKeys([2048]);
    const root = issueRootCa(key, { validityDays: 3000, subject: [{ shortName: 'CN', value: name }] });
    fs.writeFileSync(path.join(dir, `${name}.pem`), root.certPem);
    fs.writeFileSync(path.join(dir, `${name}-key.pem`), root.keyPem);
    return { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}-key.pem`), fingerprint: new X509Certificate(root.certPem).fingerprint256 };
  };
  const fromFiles = (dir: string, root: ReturnType<typeof rootFiles>, stage?: RootRotationStage, next?: ReturnType<typeof rootFiles>) => {
    const { app, mesh } = testMesh({
      meshId: 'mesh1',
      ca: MeshCa.fromFiles({
        rootCertFile: root.certFile, rootKeyFile: root.keyFile, keyStore: path.join(dir, 'keys'), intermediateKeySize: 2048,
        rotationStateFile: path.join(dir, 'ca-rotation.json'),
        rootRotation: stage && { stage, skipDwell: true, nextRootCertFile: next!.certFile, nextRootKeyFile: next!.keyFile },
      }),
    }, dir);
    new MeshCluster(mesh, 'c1');
    new MeshCluster(mesh, 'c2');
    app.synth();
    return app;
  };

  test('fromFiles: the next root comes from its files, intermediates are re-issued with its key, then the files are switched', () => {
    const dir = tempDir();
    const a = rootFiles(dir, 'root-a');
    const b = rootFiles(dir, 'root-b');
    fromFiles(dir, a);
    fromFiles(dir, a, PREPARE, b);
    expect(fingerprints(cacerts(fromFiles(dir, a, TRUST_BOTH, b), 'c1')['root-cert.pem'])).toEqual([a.fingerprint, b.fingerprint]);
    const resigned = fromFiles(dir, a, RESIGN, b);
    expect(fingerprints(splitPemBundle(cacerts(resigned, 'c2')['cert-chain.pem'])[1])).toEqual([b.fingerprint]);
    opensslVerifies(resigned, 'c2', dir);
    expect(fingerprints(cacerts(fromFiles(dir, a, DROP_OLD, b), 'c1')['root-cert.pem'])).toEqual([b.fingerprint]);
    // Afterwards the mesh runs on the new root's files; the old one is refused for good.
    expect(fingerprints(cacerts(fromFiles(dir, b), 'c1')['root-cert.pem'])).toEqual([b.fingerprint]);
    expect(() => fromFiles(dir, a)).toThrow(/root-a.pem .* was dropped by a finished rotation/);
  });

  test('a next root that changes mid-rotation, and next-root files where they mean nothing, are refused', () => {
    const dir = tempDir();
    const a = rootFiles(dir, 'root-a');
    const b = rootFiles(dir, 'root-b');
    const c = rootFiles(dir, 'root-c');
    fromFiles(dir, a, PREPARE, b);
    expect(() => fromFiles(dir, a, TRUST_BOTH, c)).toThrow(/the next root \(.*root-c.pem\) is not the root this rotation started with/);
    expect(() => MeshCa.generate({ rootRotation: { stage: PREPARE, nextRootCertFile: b.certFile } })._check(testMesh().mesh))
      .toThrow(/ca.rootRotation.nextRootCertFile .* means nothing for a generated root/);
    expect(() => MeshCa.fromFiles({ rootCertFile: a.certFile, rootKeyFile: a.keyFile, rootRotation: { stage: PREPARE, nextRootCertFile: b.certFile } })._check(testMesh().mesh))
      .toThrow(/\[mesh\] ca.rootRotation.nextRootKeyFile is not set, and rotating a files root needs it: give the next root's PEM file/);
  });
});
