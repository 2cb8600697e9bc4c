import * as fs from 'fs';
import * as path from 'path';
import { OutputFile, OutputRoot } from './output-file';
import { YamlWriter } from './yaml';

/** Lists the files the last synth wrote under a root, so the next one can remove what it no longer writes. */
export const MANIFEST_FILE = '.synth-manifest.json';

export interface WriteTargets {
  /** Directory of the Git-facing bundles. */
  readonly bundles: string;
  /** Directory of files that carry private keys. */
  readonly secrets: string;
}

/** What a write changed, relative to each root. */
export interface WriteReport {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
}

/**
 * Serializes each file and writes it to a temporary file beside its target, then, once every file is
 * serialized, renames them all into place: a failure while serializing leaves the previous output
 * untouched (the temporary files are removed), and a mesh's text never sits in memory all at once.
 * Files the previous synth wrote and this one does not are removed; other files are left alone.
 */
export function writeOutputs(files: readonly OutputFile[], targets: WriteTargets): WriteReport {
  const roots = new Map<OutputRoot, StagedRoot>([
    [OutputRoot.BUNDLES, new StagedRoot(targets.bundles, false)],
    [OutputRoot.SECRETS, new StagedRoot(targets.secrets, true)],
    // Project files (the VIP lock, the CA key store) have paths of their own, relative to the working directory.
    [OutputRoot.PROJECT, new StagedRoot('', false)],
  ]);
  const seen = new Set<string>();
  const yamlWriter = new YamlWriter();
  try {
    for (const file of files) {
      const key = `${file.root}:${file.path}`;
      if (seen.has(key)) {
        throw new Error(`two outputs would be written to ${file.root}/${file.path}`);
      }
      seen.add(key);
      const text = typeof file.content === 'string' ? [file.content] : yamlWriter.chunks(file.content);
      roots.get(file.root)!.stage(file.path, text, file.private ?? file.root === OutputRoot.SECRETS);
    }
  } catch (e) {
    roots.forEach(root => root.discard());
    throw e;
  }
  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  roots.forEach(root => root.commit(report));
  return report;
}

/** The files of one output root, written to temporary files until the commit renames them into place. */
class StagedRoot {
  private readonly staged: Array<{ readonly path: string; readonly target: string; readonly temporary?: string }> = [];
  private readonly madeDirs = new Set<string>();
  /** The first directory each mkdir created, to remove again when the synth fails. */
  private readonly createdDirs: string[] = [];

  /** @param root the directory, or '' for paths relative to the working directory (no manifest kept). */
  public constructor(private readonly root: string, private readonly secret: boolean) {}

  public stage(file: string, text: Text, privateFile: boolean): void {
    if (this.secret) this.mkdir(this.root, true);
    const target = this.root ? path.join(this.root, ...file.split('/')) : file;
    const mode = privateFile ? 0o600 : 0o644;
    if (holds(target, text, mode)) {
      this.staged.push({ path: file, target });
      return;
    }
    this.mkdir(path.dirname(target), privateFile);
    this.staged.push({ path: file, target, temporary: writeTemporary(target, text, mode) });
  }

  /** Removes what staging wrote: the temporary files and the directories made for them. */
  public discard(): void {
    this.staged.forEach(file => file.temporary && fs.rmSync(file.temporary, { force: true }));
    this.createdDirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
  }

  /** Renames the staged files into place, removes what the previous synth wrote and this one did not. */
  public commit(report: WriteReport): void {
    const where = (file: string) => (this.root ? path.join(this.root, file) : file);
    for (const file of this.staged) {
      if (file.temporary) fs.renameSync(file.temporary, file.target);
      (file.temporary ? report.written : report.unchanged).push(where(file.path));
    }
    if (!this.root) return;
    const previous = readManifest(this.root);
    if (this.staged.length === 0 && previous.length === 0) return;
    if (this.secret) {
      // Keeps key material out of Git even when the directory sits inside the repository.
      writeIfChanged(path.join(this.root, '.gitignore'), '*\n', 0o600);
    }
    const current = new Set(this.staged.map(file => file.path));
    for (const stale of previous.filter(p => !current.has(p))) {
      const target = path.join(this.root, ...stale.split('/'));
      fs.rmSync(target, { force: true });
      removeEmptyParents(path.dirname(target), this.root);
      report.removed.push(where(stale));
    }
    this.mkdir(this.root, this.secret);
    writeIfChanged(path.join(this.root, MANIFEST_FILE), `${JSON.stringify([...current].sort(), null, 2)}\n`, 0o644);
  }

  private mkdir(dir: string, privateDir: boolean): void {
    if (this.madeDirs.has(dir)) return;
    const created = fs.mkdirSync(dir, { recursive: true, mode: privateDir ? 0o700 : 0o777 });
    if (created) this.createdDirs.push(created);
    if (dir === this.root && this.secret) fs.chmodSync(dir, 0o700);
    this.madeDirs.add(dir);
  }
}

/** A file's text, in chunks written one after the other (see `YamlWriter.chunks`). */
type Text = readonly string[];

/** Writes `text` atomically unless the file already holds it with that mode; returns whether it wrote. */
function writeIfChanged(target: string, text: string, mode: number): boolean {
  if (holds(target, [text], mode)) return false;
  fs.renameSync(writeTemporary(target, [text], mode), target);
  return true;
}

/** Whether a file already holds `text` with that mode. */
function holds(target: string, text: Text, mode: number): boolean {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  return stat !== undefined && (stat.mode & 0o777) === mode && stat.size === text.reduce((n, chunk) => n + Buffer.byteLength(chunk), 0)
    && fs.readFileSync(target, 'utf8') === text.join('');
}

/** Writes `text` beside `target`, to be renamed into place; returns the temporary file. */
function writeTemporary(target: string, text: Text, mode: number): string {
  const temporary = `${target}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w', mode);
  try {
    for (const chunk of text) {
      // A string is encoded into a scratch buffer freed at once; a Buffer per chunk would hold memory until collected.
      const written = fs.writeSync(fd, chunk);
      if (written < Buffer.byteLength(chunk)) {
        const bytes = Buffer.from(chunk);
        for (let done = written; done < bytes.length;) done += fs.writeSync(fd, bytes, done);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(temporary, mode); // the umask may have cleared bits of `mode`
  return temporary;
}

function readManifest(root: string): string[] {
  try {
    const listed: unknown = JSON.parse(fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
    // Only plain relative paths: a hand-edited manifest must not make us delete outside the root.
    return Array.isArray(listed)
      ? listed.filter((p): p is string => typeof p === 'string' && !p.split('/').includes('..') && !path.isAbsolute(p))
      : [];
  } catch {
    return [];
  }
}

function removeEmptyParents(dir: string, root: string): void {
  const stop = path.resolve(root);
  for (let current = path.resolve(dir); current !== stop && current.startsWith(stop); current = path.dirname(current)) {
    if (fs.readdirSync(current).length > 0) {
      return;
    }
    fs.rmdirSync(current);
  }
}
