import { execFileSync } from 'child_process';
import * as path from 'path';

/** What Mermaid's parser says of a diagram: its type, or its error. */
export type MermaidResult = { readonly type: string } | { readonly error: string };

/** The Mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]);
}

/** Parses diagrams with Mermaid's own parser (in a child process: Mermaid is ESM-only and needs a DOM). */
export function parseMermaid(diagrams: readonly string[]): MermaidResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'mermaid-parse.mjs')], {
    input: JSON.stringify(diagrams), encoding: 'utf8', maxBuffer: 1 << 28,
  });
  return JSON.parse(out) as MermaidResult[];
}
