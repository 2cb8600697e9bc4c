import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_FILE, writeOutputs } from '../../src/write/bundle-writer';
import { OutputFile, OutputRoot } from '../../src/write/output-file';
import { listFiles, tempDir } from '../support/synth';

function targets() {
  const dir = tempDir();
  return { bundles: path.join(dir, 'dist'), secrets: path.join(dir, 'secrets') };
}

const bundleFile = (p: string, content: OutputFile['content']): OutputFile => ({ root: OutputRoot.BUNDLES, path: p, content });

describe('writeOutputs', () => {
  test('writes text as is and objects as a YAML stream, and records what it wrote', () => {
    const t = targets();
    writeOutputs([bundleFile('c1/a.yaml', [{ kind: 'A' }, { kind: 'B' }]), bundleFile('c1/notes.md', '# hi\n')], t);
    expect(fs.readFileSync(path.join(t.bundles, 'c1/a.yaml'), 'utf8')).toBe('kind: A\n---\nkind: B\n');
    expect(fs.readFileSync(path.join(t.bundles, 'c1/notes.md'), 'utf8')).toBe('# hi\n');
    expect(JSON.parse(fs.readFileSync(path.join(t.bundles, MANIFEST_FILE), 'utf8'))).toEqual(['c1/a.yaml', 'c1/notes.md']);
  });

  test('removes files it wrote before and no longer writes, keeps files it never wrote', () => {
    const t = targets();
    writeOutputs([bundleFile('c1/a.yaml', 'a: 1\n'), bundleFile('c2/b.yaml', 'b: 1\n')], t);
    fs.writeFileSync(path.join(t.bundles, 'c1', 'user-notes.md'), 'mine');

    const report = writeOutputs([bundleFile('c1/a.yaml', 'a: 1\n')], t);

    expect(listFiles(t.bundles)).toEqual([MANIFEST_FILE, 'c1/a.yaml', 'c1/user-notes.md']);
    expect(report.removed).toEqual([path.join(t.bundles, 'c2/b.yaml')]);
    expect(report.unchanged).toEqual([path.join(t.bundles, 'c1/a.yaml')]);
  });

  test('never deletes outside its root, whatever the manifest says', () => {
    const t = targets();
    const outside = path.join(path.dirname(t.bundles), 'precious.txt');
    fs.writeFileSync(outside, 'keep');
    fs.mkdirSync(t.bundles, { recursive: true });
    fs.writeFileSync(path.join(t.bundles, MANIFEST_FILE), JSON.stringify(['../precious.txt', outside]));
    writeOutputs([bundleFile('c1/a.yaml', 'a: 1\n')], t);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
  });

  test('writes secrets 0600 in a 0700 directory that git ignores', () => {
    const t = targets();
    writeOutputs([{ root: OutputRoot.SECRETS, path: 'c1/cacerts.yaml', content: 'k: v\n' }], t);
    expect(fs.statSync(path.join(t.secrets, 'c1/cacerts.yaml')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(t.secrets).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(t.secrets, 'c1')).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(t.secrets, '.gitignore'), 'utf8')).toBe('*\n');
  });

  test('a failure while serializing leaves the previous output as it was, without temporary files or new directories', () => {
    const t = targets();
    writeOutputs([bundleFile('c1/a.yaml', 'a: 1\n')], t);
    const before = listFiles(path.dirname(t.bundles)).map(f => [f, fs.readFileSync(path.join(path.dirname(t.bundles), f), 'utf8')]);

    // A function cannot be written as YAML: the writer fails on the last file, after staging the others.
    expect(() => writeOutputs([bundleFile('c1/a.yaml', 'a: 2\n'), bundleFile('c2/b.yaml', 'b: 1\n'), bundleFile('c3/c.yaml', [{ kind: 'A', f: () => 1 }])], t)).toThrow();

    expect(listFiles(path.dirname(t.bundles)).map(f => [f, fs.readFileSync(path.join(path.dirname(t.bundles), f), 'utf8')])).toEqual(before);
    expect(fs.existsSync(path.join(t.bundles, 'c2'))).toBe(false);
  });

  test('finishes a file that the system writes in parts, multi-byte characters included', () => {
    // write(2) may write less than asked (a full disk, a signal): the writer goes on from the byte it stopped at.
    const realWrite = fs.writeSync;
    const partial = jest.fn((fd: number, data: string | Uint8Array, offset?: number) => {
      const bytes = Buffer.from(data as string);
      const from = typeof data === 'string' ? 0 : offset ?? 0;
      return realWrite(fd, bytes, from, Math.min(typeof data === 'string' ? 5 : 7, bytes.length - from));
    });
    let write: typeof writeOutputs = writeOutputs;
    jest.isolateModules(() => {
      jest.doMock('fs', () => ({ ...jest.requireActual('fs'), writeSync: partial }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      write = (require('../../src/write/bundle-writer') as typeof import('../../src/write/bundle-writer')).writeOutputs;
    });
    jest.dontMock('fs');
    const t = targets();
    const text = 'name: café\nnote: 日本語のテキスト\n'.repeat(3);
    write([bundleFile('c1/notes.yaml', text), bundleFile('c1/objects.yaml', [{ kind: 'A', note: 'ü'.repeat(20) }])], t);
    expect(partial.mock.calls.length).toBeGreaterThan(10);
    expect(fs.readFileSync(path.join(t.bundles, 'c1/notes.yaml'), 'utf8')).toBe(text);
    expect(fs.readFileSync(path.join(t.bundles, 'c1/objects.yaml'), 'utf8')).toBe(`kind: A\nnote: ${'ü'.repeat(20)}\n`);
  });

  test('refuses two outputs for one path', () => {
    expect(() => writeOutputs([bundleFile('c1/a.yaml', 'a'), bundleFile('c1/a.yaml', 'b')], targets()))
      .toThrow(/two outputs would be written to bundles\/c1\/a.yaml/);
  });
});
