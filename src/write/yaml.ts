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

const SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [yaml11Number] });

const DUMP_OPTIONS: yaml.DumpOptions = {
  schema: SCHEMA,
  noRefs: true,
  lineWidth: -1,
  // Keys arrive sorted (cdk8s sorts them when it resolves an object); sorting again costs ~15%.
  sortKeys: false,
};

/** Serializes one object as a YAML document that YAML 1.1 and 1.2 readers read the same way. */
export function toYaml(value: unknown): string {
  return yaml.dump(value, DUMP_OPTIONS);
}

/** Serializes objects as a multi-document YAML stream. */
export function toYamlDocuments(values: readonly unknown[]): string {
  return values.map(toYaml).join('---\n');
}
