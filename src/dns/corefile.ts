/** One plugin line of a Corefile, with its nested block if it has one. */
export interface CorefileDirective {
  readonly name: string;
  readonly args?: readonly string[];
  readonly block?: readonly CorefileDirective[];
}

/** A server block: `keys { directives }`, e.g. `global:53 { ... }`. */
export interface ServerBlock {
  readonly keys: readonly string[];
  readonly directives: readonly CorefileDirective[];
  /** The line the block starts on, for parsed blocks. */
  readonly line?: number;
}

/** A Corefile that cannot be parsed; the message says where and why. */
export class CorefileError extends Error {
  public readonly name = 'CorefileError';
}

interface Token { readonly text: string; readonly line: number }

/** Splits a Corefile into tokens per line; `{` and `}` are tokens when they stand alone or end a word. */
function tokenize(text: string): Token[][] {
  const lines: Token[][] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const tokens: Token[] = [];
    const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    for (let match = pattern.exec(raw); match; match = pattern.exec(raw)) {
      if (match[2]?.startsWith('#')) break;
      const word = match[1] ?? match[2];
      const quoted = match[1] !== undefined;
      if (!quoted && word.length > 1 && word.endsWith('{') && !word.startsWith('{$')) {
        tokens.push({ text: word.slice(0, -1), line: i + 1 }, { text: '{', line: i + 1 });
      } else {
        tokens.push({ text: quoted ? JSON.stringify(word) : word, line: i + 1 });
      }
    }
    if (tokens.length > 0) lines.push(tokens);
  });
  return lines;
}

/** Parses a Corefile into server blocks. Throws a CorefileError naming `source` and the line. */
export function parseCorefile(text: string, source = 'Corefile'): ServerBlock[] {
  const lines = tokenize(text);
  let index = 0;
  const fail = (line: number, problem: string): never => {
    throw new CorefileError(`${source} does not parse: line ${line}: ${problem}`);
  };

  /** Reads directives until the `}` that closes the block opened at `openedAt`. */
  const readBlock = (openedAt: number): CorefileDirective[] => {
    const directives: CorefileDirective[] = [];
    while (index < lines.length) {
      const tokens = lines[index++];
      if (tokens[0].text === '}') {
        if (tokens.length > 1) fail(tokens[0].line, `unexpected "${tokens[1].text}" after "}"`);
        return directives;
      }
      const opens = tokens[tokens.length - 1].text === '{';
      const words = (opens ? tokens.slice(0, -1) : tokens).map(t => t.text);
      if (words.includes('{') || words.includes('}')) fail(tokens[0].line, 'a brace must end its line');
      const [name, ...args] = words;
      if (!name) fail(tokens[0].line, '"{" without a plugin name');
      directives.push({ name, args, block: opens ? readBlock(tokens[0].line) : undefined });
    }
    return fail(openedAt, 'block opened here is never closed with "}"');
  };

  const blocks: ServerBlock[] = [];
  while (index < lines.length) {
    const tokens = lines[index++];
    const line = tokens[0].line;
    if (tokens[tokens.length - 1].text !== '{') {
      fail(line, tokens[0].text === '}' ? '"}" without a matching "{"' : `"${tokens.map(t => t.text).join(' ')}" is outside a server block: a server block is "<zone>[:port] {"`);
    }
    const keys = tokens.slice(0, -1).flatMap(t => t.text.split(',')).filter(k => k.length > 0);
    if (keys.length === 0) fail(line, 'a server block needs a zone before "{", e.g. ".:53 {"');
    blocks.push({ keys, directives: readBlock(line), line });
  }
  return blocks;
}

/** The zone a server block key serves: `global:53`, `dns://global.:53` and `global` all serve `global`. */
export function keyZone(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '').replace(/\.$/, '');
}

function renderDirectives(directives: readonly CorefileDirective[], indent: string): string {
  return directives.map(d => {
    const head = [d.name, ...(d.args ?? [])].join(' ');
    return d.block
      ? `${indent}${head} {\n${renderDirectives(d.block, `${indent}    `)}${indent}}\n`
      : `${indent}${head}\n`;
  }).join('');
}

/** Renders a server block in CoreDNS's usual layout (4-space indent). */
export function renderServerBlock(block: ServerBlock): string {
  return `${block.keys.join(' ')} {\n${renderDirectives(block.directives, '    ')}}\n`;
}
