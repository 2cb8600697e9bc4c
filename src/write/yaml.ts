import * as yaml from 'js-yaml';

/**
 * Plain scalars that YAML 1.1 reads as numbers but YAML 1.2 (js-yaml's schema) reads as strings.
 * kubectl and most Go tooling parse YAML 1.1, so such strings must be quoted or `1_000` becomes 1000.
 * js-yaml already quotes the 1.1 booleans (yes, on, y ...), octals such as 0644 and sexagesimals.
 */
const YAML11_NUMBER = new RegExp([
  '^[-+]?(?:0|[1-9][0-9_]*)$', // decimal with underscores
  '^[-+]?0b[01_]+$',
  '^[-+]?0[0-7_]+$',
  '^[-+]?0x[0-9a-fA-F_]+$',
  '^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$', // base 60
  '^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*(?:[eE][-+]?[0-9]+)?$',
  '^[-+]?\\.(?:inf|Inf|INF)$',
  '^\\.(?:nan|NaN|NAN)$',
].join('|'));

/** A resolver-only type: it never represents a value, it only makes the dumper quote look-alikes. */
const yaml11Number = new yaml.Type('tag:yaml.org,2002:yaml11-number', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && YAML11_NUMBER.test(data),
  construct: (data: string) => data,
});

/** js-yaml's default schema plus the YAML 1.1 number look-alikes, which the dumper then quotes. */
export const YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11Number] });

const DUMP_OPTIONS: yaml.DumpOptions = {
  schema: YAML_SCHEMA,
  noRefs: true,
  lineWidth: -1,
  // Keys arrive sorted (cdk8s sorts them when it resolves an object); sorting again costs ~15%.
  sortKeys: false,
};

/** About how long a piece of the block emitter's output is, in characters: 6 to 15 in the benchmark's meshes. */
const PIECE_LENGTH = 8;

/** Thrown inside the block emitter for a value whose layout it leaves to js-yaml. */
class NotBlockShaped extends Error {}

/**
 * Strings js-yaml writes plain, as most names, hosts and addresses are: asking js-yaml for each new one
 * cost more than the rest of the emitter. Starting with a letter rules out numbers and timestamps, as do
 * two dots or more (addresses, versions); the words below are the booleans and nulls of YAML 1.1 and 1.2,
 * which it quotes.
 */
const PLAIN_WORD = /^[a-zA-Z][a-zA-Z0-9_./-]*$|^[0-9]+(?:\.[0-9]+){2,}$/;
const YAML_WORD = /^(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** A scalar as js-yaml writes it in block context; memoized, because meshes repeat the same strings. */
const scalars = new Map<unknown, string>();
function scalar(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      break;
    case 'string':
      // Multi-line strings become block scalars whose layout depends on depth; long keys become explicit.
      if (value.includes('\n') || value.length > 1024) throw new NotBlockShaped();
      break;
    default:
      throw new NotBlockShaped();
  }
  let text = scalars.get(value);
  if (text === undefined) {
    text = typeof value === 'string' && PLAIN_WORD.test(value) && !YAML_WORD.test(value) ? value : yaml.dump(value, DUMP_OPTIONS).slice(0, -1);
    if (scalars.size < 100_000) scalars.set(value, text);
  }
  return text;
}

/** A non-empty collection (a mapping whose values are all undefined is written `{}`, as js-yaml skips them). */
function isBlock(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  for (const key in value) {
    if ((value as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}

/** An empty collection or a scalar, written after `key: ` or `- `. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) {
    if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotBlockShaped();
    return '{}';
  }
  return scalar(value);
}

/** Line breaks with the indent of each depth, made once: making them per collection was most of the emitter's garbage. */
const newlines: string[] = ['\n'];
const newlineAt = (depth: number): string => newlines[depth] ?? (newlines[depth] = `${newlineAt(depth - 1)}  `);

/**
 * Writes YAML documents. One writer serves one synth, whose rendered objects share subtrees (the consumers
 * of a service reaching the same serving clusters share one spec): a document's top-level member met a
 * second time is remembered as text and written from there after, so a mesh's thousands of shared specs
 * are each laid out once. The objects must not change while the writer is in use.
 */
export class YamlWriter {
  /** The pieces of the chunk being written: one join per chunk, no per-level concatenation. */
  private readonly pieces: string[] = [];
  private readonly seen = new WeakSet<object>();
  private readonly written = new WeakMap<object, string>();

  /** Serializes objects as a multi-document YAML stream. */
  public documents(values: readonly unknown[]): string {
    return this.chunks(values, Infinity)[0];
  }

  /**
   * The same stream in chunks of about `size` characters, to be written one after the other: a file's
   * text in one string is a large object that only a full garbage collection frees. The pieces of many
   * documents are joined at once, into the chunk: joining each document first copied all the text twice.
   */
  public chunks(values: readonly unknown[], size = 1 << 16): string[] {
    const chunks: string[] = [];
    const out = this.pieces;
    out.length = 0;
    // Pieces are keys, values, indents and remembered members: about PIECE_LENGTH characters on average.
    const piecesPerChunk = size / PIECE_LENGTH;
    values.forEach((value, i) => {
      if (i > 0) out.push('---\n');
      this.append(value);
      if (out.length >= piecesPerChunk) {
        chunks.push(out.join(''));
        out.length = 0;
      }
    });
    if (out.length > 0 || chunks.length === 0) chunks.push(out.join(''));
    out.length = 0;
    return chunks;
  }

  /** Serializes one object as a YAML document: see `toYaml`. */
  public document(value: unknown): string {
    return this.chunks([value], Infinity)[0];
  }

  /** Appends one document's pieces, laid out here if it is block-shaped, by js-yaml otherwise. */
  private append(value: unknown): void {
    const out = this.pieces;
    if (isBlock(value) && !Array.isArray(value)) {
      const start = out.length;
      try {
        this.block(value, 0);
        out.push('\n');
        return;
      } catch (e) {
        if (!(e instanceof NotBlockShaped)) throw e;
        out.length = start;
      }
    }
    out.push(yaml.dump(value, DUMP_OPTIONS));
  }

  /**
   * Appends a non-empty mapping or sequence in js-yaml's block layout (indent 2, sequences indented under
   * their key), its first line without its indent so that a `- ` can precede it.
   */
  private block(value: object, depth: number): void {
    const out = this.pieces;
    const newline = newlineAt(depth);
    let first = true;
    if (Array.isArray(value)) {
      for (const item of value) {
        if (!first) out.push(newline);
        first = false;
        if (isBlock(item)) {
          out.push('- ');
          this.block(item, depth + 1);
        } else {
          out.push('- ', item === undefined ? 'null' : inline(item));
        }
      }
      return;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotBlockShaped();
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      if (!first) out.push(newline);
      first = false;
      if (isBlock(item)) {
        out.push(scalar(key), ':', newlineAt(depth + 1));
        if (depth === 0) this.member(item);
        else this.block(item, depth + 1);
      } else {
        out.push(scalar(key), ': ', inline(item));
      }
    }
  }

  /** A document's top-level member: written as text when met before, remembered as text when met the second time. */
  private member(value: object): void {
    const text = this.written.get(value);
    if (text !== undefined) {
      this.pieces.push(text);
    } else if (!this.seen.has(value)) {
      this.seen.add(value);
      this.block(value, 1);
    } else {
      const start = this.pieces.length;
      this.block(value, 1);
      const laidOut = this.pieces.splice(start).join('');
      this.written.set(value, laidOut);
      this.pieces.push(laidOut);
    }
  }
}

/**
 * Serializes one object as a YAML document that YAML 1.1 and 1.2 readers read the same way.
 *
 * Rendered objects are plain JSON in block layout, so a specialised emitter writes them, byte for byte
 * what js-yaml writes with the same options (a differential test holds it to that), several times faster;
 * scalars and anything unusual (multi-line strings, non-plain objects) go through js-yaml itself.
 */
export function toYaml(value: unknown): string {
  return new YamlWriter().document(value);
}

/** Serializes objects as a multi-document YAML stream. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return new YamlWriter().documents(values);
}
