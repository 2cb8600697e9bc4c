import * as yaml from 'js-yaml';
import { toYaml, toYamlDocuments } from '../../src/write/yaml';

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
});
