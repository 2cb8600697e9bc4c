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

interface SerializedFile {
  readonly path: string;
  readonly text: string;
  readonly private: boolean;
}

/**
 * Serializes every file first, then writes them; a failure while rendering or serializing leaves the
 * previous output untouched. Each file is replaced atomically (write to a temporary file, rename).
 * Files the previous synth wrote and this one does not are removed; other files are left alone.
 */
export function writeOutputs(files: readonly OutputFile[], targets: WriteTargets): WriteReport {
  const byRoot = new Map<OutputRoot, SerializedFile[]>([[OutputRoot.BUNDLES, []], [OutputRoot.SECRETS, []], [OutputRoot.PROJECT, []]]);
  const seen = new Set<string>();
  const yamlWriter = new YamlWriter();
  for (const file of files) {
    const key = `${file.root}:${file.path}`;
    if (seen.has(key)) {
      throw new Error(`two outputs would be written to ${file.root}/${file.path}`);
    }
    seen.add(key);
    const text = typeof file.content === 'string' ? file.content : yamlWriter.documents(file.content);
    byRoot.get(file.root)!.push({ path: file.path, text, private: file.private ?? file.root === OutputRoot.SECRETS });
  }

  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  writeRoot(targets.bundles, byRoot.get(OutputRoot.BUNDLES)!, false, report);
  writeRoot(targets.secrets, byRoot.get(OutputRoot.SECRETS)!, true, report);
  for (const file of byRoot.get(OutputRoot.PROJECT)!) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true, mode: file.private ? 0o700 : 0o777 });
    const changed = writeIfChanged(file.path, file.text, file.private ? 0o600 : 0o644);
    (changed ? report.written : report.unchanged).push(file.path);
  }
  return report;
}

function writeRoot(root: string, files: readonly SerializedFile[], secret: boolean, report: WriteReport): void {
  const previous = readManifest(root);
  if (files.length === 0 && previous.length === 0) {
    return;
  }
  fs.mkdirSync(root, { recursive: true, mode: secret ? 0o700 : 0o777 });
  if (secret) {
    fs.chmodSync(root, 0o700);
    // Keeps key material out of Git even when the directory sits inside the repository.
    writeIfChanged(path.join(root, '.gitignore'), '*\n', 0o600);
  }
  const current = new Set<string>();
  const made = new Set<string>();
  for (const file of files) {
    const target = path.join(root, ...file.path.split('/'));
    const mode = file.private ? 0o600 : 0o644;
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: file.private ? 0o700 : 0o777 });
      made.add(dir);
    }
    const changed = writeIfChanged(target, file.text, mode);
    (changed ? report.written : report.unchanged).push(path.join(root, file.path));
    current.add(file.path);
  }
  for (const stale of previous.filter(p => !current.has(p))) {
    const target = path.join(root, ...stale.split('/'));
    fs.rmSync(target, { force: true });
    removeEmptyParents(path.dirname(target), root);
    report.removed.push(path.join(root, stale));
  }
  writeIfChanged(path.join(root, MANIFEST_FILE), `${JSON.stringify([...current].sort(), null, 2)}\n`, 0o644);
}

/** Writes `text` atomically unless the file already holds it with that mode; returns whether it wrote. */
function writeIfChanged(target: string, text: string, mode: number): boolean {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (stat && (stat.mode & 0o777) === mode && stat.size === Buffer.byteLength(text) && fs.readFileSync(target, 'utf8') === text) {
    return false;
  }
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.chmodSync(temporary, mode); // the umask may have cleared bits of `mode`
  fs.renameSync(temporary, target);
  return true;
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
