// Parses Mermaid diagrams with Mermaid's own parser, as GitHub's renderer does (Mermaid is ESM-only and
// wants a DOM, so tests run this in a child process). stdin: a JSON array of diagram texts; stdout: a
// JSON array with, for each, the diagram type or the parser's error.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const diagram of JSON.parse(input)) {
  try {
    results.push({ type: (await mermaid.parse(diagram)).diagramType });
  } catch (e) {
    results.push({ error: String(e.message ?? e).split('\n').slice(0, 3).join(' ') });
  }
}
process.stdout.write(JSON.stringify(results));
