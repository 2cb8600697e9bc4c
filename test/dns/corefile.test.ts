import { keyZone, parseCorefile, renderServerBlock } from '../../src/dns/corefile';
import { KUBEADM_COREFILE } from '../support/fixtures';


describe('parseCorefile', () => {
  test('parses server blocks, nested plugin blocks, comments and several keys', () => {
    const blocks = parseCorefile(`${KUBEADM_COREFILE}
# a comment
example.org:53, example.com { # trailing comment
    whoami
}
`);
    expect(blocks.map(b => [b.keys, b.line])).toEqual([[['.:53'], 1], [['example.org:53', 'example.com'], 23]]);
    expect(blocks[0].directives.find(d => d.name === 'kubernetes')).toEqual({
      name: 'kubernetes',
      args: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'],
      block: [
        { name: 'pods', args: ['insecure'], block: undefined },
        { name: 'fallthrough', args: ['in-addr.arpa', 'ip6.arpa'], block: undefined },
        { name: 'ttl', args: ['30'], block: undefined },
      ],
    });
  });

  test.each([
    ['.:53 {\n  errors\n', /line 1: block opened here is never closed/],
    ['.:53 {\n}\n}\n', /line 3: "}" without a matching "{"/],
    ['errors\n', /line 1: "errors" is outside a server block/],
    ['{\n}\n', /line 1: a server block needs a zone before "{"/],
    ['.:53 {\n  forward . { x }\n}\n', /line 2: a brace must end its line/],
  ])('reports %j with its line', (text, message) => {
    expect(() => parseCorefile(text, 'the Corefile')).toThrow(message);
    expect(() => parseCorefile(text, 'the Corefile')).toThrow(/^the Corefile does not parse: /);
  });

  test('keyZone reads the zone of every key form', () => {
    expect(['global', 'global:53', 'global.:53', 'dns://global:53', '.:53'].map(keyZone)).toEqual(['global', 'global', 'global', 'global', '']);
  });

  test('renders what it parses', () => {
    const block = { keys: ['global:53'], directives: [{ name: 'errors' }, { name: 'forward', args: ['.', '10.0.0.1:53'], block: [{ name: 'except', args: ['x'] }] }] };
    const text = renderServerBlock(block);
    expect(text).toBe('global:53 {\n    errors\n    forward . 10.0.0.1:53 {\n        except x\n    }\n}\n');
    expect(parseCorefile(text)[0]).toMatchObject({ keys: ['global:53'], directives: [{ name: 'errors' }, { name: 'forward', block: [{ name: 'except' }] }] });
  });
});
