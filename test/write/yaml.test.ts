import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { YAML_SCHEMA as EMITTER_SCHEMA, toYaml, toYamlDocuments, YamlWriter } from '../../src/write/yaml';
import { listFiles } from '../support/synth';

describe('toYaml', () => {
  test.each([
    'on', 'off', 'yes', 'no', 'y', 'n', 'true', 'null', '~', '0644', '0x1F', '1_000', '+.5', '1e3', '12:30', '.inf', '.NaN', '2001-12-14',
  ])('quotes %j, which a YAML 1.1 reader would not read as a string', value => {
    const text = toYaml({ value });
    expect(text).toMatch(/^value: ['"]/);
    expect(yaml.load(text)).toEqual({ value });
  });

  test.each(['foo', '240.0.0.2', 'httpbin.bar.global', 'a_b', '1.2.3'])('leaves %j plain', value => {
    expect(toYaml({ value })).toBe(`value: ${value}\n`);
  });

  test('keeps numbers and booleans typed, and multi-line text as a literal block', () => {
    expect(toYaml({ port: 15443, enabled: true, corefile: 'a {\n  b\n}\n' }))
      .toBe('port: 15443\nenabled: true\ncorefile: |\n  a {\n    b\n  }\n');
  });

  test('joins documents with separators', () => {
    expect(toYamlDocuments([{ a: 1 }, { b: 2 }])).toBe('a: 1\n---\nb: 2\n');
  });

  test('writes a stream in chunks of whole documents that join to the same text', () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({ metadata: { name: `svc${i}` }, spec: { port: i } }));
    const chunks = new YamlWriter().chunks(docs, 100);
    expect(chunks.join('')).toBe(toYamlDocuments(docs));
    expect(chunks.length).toBeGreaterThan(10);
    // Each chunk ends where a document does, and starts at a document or its separator.
    chunks.forEach((chunk, i) => {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.startsWith(i === 0 ? 'metadata:' : '---\nmetadata:')).toBe(true);
    });
    expect(new YamlWriter().chunks([])).toEqual(['']);
  });

  test('one writer, used again, writes chunks of uneven documents with shared members as js-yaml does', () => {
    // A long chunk then short ones (what a chunk leaves behind must not reach the next), and a spec
    // shared by several documents (laid out once, then written as text, also mid-chunk).
    const shared = { hosts: ['a.ns.global'], ports: [{ name: 'http', number: 80 }] };
    const docs = [
      { kind: 'List', items: Array.from({ length: 120 }, (_, i) => ({ name: `item${i}`, labels: { app: `a${i}` } })) },
      ...Array.from({ length: 30 }, (_, i) => ({ metadata: { name: `svc${i}` }, spec: i % 3 === 0 ? shared : { port: i } })),
    ];
    const jsYaml = (values: object[]) => values.map(d => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n');
    const writer = new YamlWriter();
    for (const order of [docs, [...docs].reverse()]) {
      const chunks = writer.chunks(order, 120);
      expect(chunks.length).toBeGreaterThan(5);
      expect(chunks.join('')).toBe(jsYaml(order));
    }
  });
});

describe('the block emitter is byte for byte js-yaml', () => {
  const tricky = fc.constantFrom('', 'on', 'n', 'null', '~', '0644', '1_000', '12:30', '2001-12-14', '- x', 'a: b', 'a #b', '#x', "it's", '"q"',
    '*', '&a', '!t', '%p', '@a', '`b', '{', '[', '|', '>', ' lead', 'trail ', 'tab\there', 'é', '\u0007', 'a\nb', 'x'.repeat(1100), '240.0.0.1', 'http1');
  const text = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme' }));
  const json = fc.letrec(tie => ({
    value: fc.oneof({ depthSize: 'small' },
      text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(text, tie('value'), { maxKeys: 4 })),
  })).value;

  test('for generated documents, tricky scalars included', () => {
    fc.assert(fc.property(fc.dictionary(text, json, { maxKeys: 5 }), doc => {
      expect(toYaml(doc)).toBe(yaml.dump(doc, { schema: EMITTER_SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false }));
    }), { numRuns: 3000 });
  });

  test('for documents that share subtrees, through one writer (which lays out a shared member once)', () => {
    fc.assert(fc.property(fc.array(json, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(text, fc.nat(2), text), { minLength: 1, maxLength: 6 }), (members, docs) => {
      const writer = new YamlWriter();
      const documents = docs.map(([name, member, key]) => ({ metadata: { name }, [key]: members[member % members.length] }));
      const dumped = documents.map(doc => yaml.dump(doc, { schema: EMITTER_SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false })).join('---\n');
      // Twice through the same writer: the second pass writes the shared members from what it remembered.
      expect(writer.documents(documents)).toBe(dumped);
      expect(writer.documents(documents)).toBe(dumped);
    }), { numRuns: 300 });
  });

  test('for word-like strings, which it writes without asking js-yaml', () => {
    const dotted = fc.array(fc.oneof(fc.nat(300), fc.constantFrom(0, 1, 255)), { minLength: 2, maxLength: 5 }).map(parts => parts.join('.'));
    const words = fc.oneof(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_./-]{0,12}$/), dotted, fc.stringMatching(/^[0-9][0-9.]{0,10}$/),
      fc.constantFrom('Yes', 'OFF', 'False', 'NULL', 'Null', 'Y', 'N', 'On', 'a-', 'a.', 'x/', 'e5', 'E1', 'inf', 'nan', 'NaN', 'Infinity'));
    fc.assert(fc.property(words, word => {
      expect(toYaml({ [word]: word })).toBe(yaml.dump({ [word]: word }, { schema: EMITTER_SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false }));
    }), { numRuns: 1000 });
  });

  test('for every committed example bundle document', () => {
    const files = listFiles(path.join(__dirname, '..', '..', 'examples')).filter(f => /\/dist\/.*\.yaml$/.test(f) && !f.includes('/vm/'));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      for (const doc of yaml.loadAll(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8'))) {
        expect(toYaml(doc)).toBe(yaml.dump(doc, { schema: EMITTER_SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false }));
      }
    }
  });
});
