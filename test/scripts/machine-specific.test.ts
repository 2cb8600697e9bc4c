import * as fs from 'fs';
import * as path from 'path';
import { MACHINE_SPECIFIC_FILE, onlyMachineValuesDiffer } from '../../scripts/machine-specific';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const read = (file: string) => fs.readFileSync(path.join(EXAMPLES, file), 'utf8');

/** Replaces the first match of `pattern` in `text`, failing when there is none (the fixture changed). */
function changed(text: string, pattern: RegExp, replacement: string): string {
  expect(text).toMatch(pattern);
  return text.replace(pattern, replacement);
}

describe('what in a rendered example is the machine\'s (npm run examples keeps a file whose only changes are these)', () => {
  test('an expected state\'s root fingerprints and expiry, not its other members', () => {
    const file = 'security/dist/cluster1/expected-state.json';
    const state = read(file);
    expect(onlyMachineValuesDiffer(file, state, changed(state, /("sha256": ")[0-9A-F:]+"/, '$1AA:BB"'))).toBe(true);
    expect(onlyMachineValuesDiffer(file, state, changed(state, /("notAfter": ")[^"]+"/, '$12040-01-01T00:00:00.000Z"'))).toBe(true);
    expect(onlyMachineValuesDiffer(file, state, changed(state, /"cluster": "cluster1"/, '"cluster": "cluster9"'))).toBe(false);
  });

  test('the values of a SealedSecret, not its keys or metadata', () => {
    const file = 'gitops/dist/flux/east/ca/cacerts.yaml';
    const sealed = read(file);
    expect(onlyMachineValuesDiffer(file, sealed, changed(sealed, /^( {4}ca-key\.pem: )\S+$/m, '$1AgBnew+sealed/value='))).toBe(true);
    expect(onlyMachineValuesDiffer(file, sealed, changed(sealed, /^( {4})ca-key\.pem:/m, '$1ca-key2.pem:'))).toBe(false);
    expect(onlyMachineValuesDiffer(file, sealed, changed(sealed, /namespace: istio-system/, 'namespace: default'))).toBe(false);
  });

  test('the byte counts of the budgets report, not its other counts', () => {
    const file = 'security/dist/budgets.json';
    const budgets = read(file);
    expect(onlyMachineValuesDiffer(file, budgets, changed(budgets, /("bytes": )\d+/, '$11'))).toBe(true);
    expect(onlyMachineValuesDiffer(file, budgets, changed(budgets, /("objects": )\d+/, '$1999'))).toBe(false);
  });

  test('nothing in other files, and an unchanged file is not a difference', () => {
    const file = 'security/dist/cluster1/mesh/kustomization.yaml';
    const text = read(file);
    expect(onlyMachineValuesDiffer(file, text, `${text}# changed\n`)).toBe(false);
    expect(onlyMachineValuesDiffer(file, text, text)).toBe(false);
  });

  test('the key material files themselves are the machine\'s, and not committed', () => {
    for (const file of ['security/dist/cluster1/root-cert.pem', 'security/dist/certificates.md', 'security/dist/certificates.json']) expect(file).toMatch(MACHINE_SPECIFIC_FILE);
    expect('security/dist/cluster1/expected-state.json').not.toMatch(MACHINE_SPECIFIC_FILE);
    const ignored = fs.readFileSync(path.resolve(EXAMPLES, '..', '.gitignore'), 'utf8');
    for (const pattern of ['examples/**/root-cert.pem', 'examples/**/certificates.md', 'examples/**/certificates.json']) expect(ignored).toContain(pattern);
  });
});
