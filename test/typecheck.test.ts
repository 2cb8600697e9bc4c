import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

/** Unused declarations: fine in README snippets, which declare what the reader goes on to use. */
const UNUSED = new Set([6133, 6196, 6198]);

// jest transpiles without checking types; this test type-checks everything in one compiler program, run
// beside the other tests instead of before them: the library, tests, examples, scripts, and README's
// TypeScript snippets, which together are one program against the library.
test('the library, tests, examples, scripts and README\'s snippets type-check (tsconfig.dev.json)', () => {
  // GIVEN every ```ts block of the README, in order, as one file
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const snippets = path.join(ROOT, 'test', '.readme-snippets.ts');
  fs.writeFileSync(snippets, blocks.join('\n').replace(/from 'cdk8s-istio-multicluster'/g, `from '${path.join(ROOT, 'src')}'`));
  try {
    // WHEN the project and the snippets are compiled with the project's options
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const program = ts.createProgram([...new Set([...config.fileNames, snippets])], { ...config.options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .filter(d => !(d.file?.fileName === snippets && UNUSED.has(d.code)))
      .map(d => `${d.file ? `${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

    // THEN there is nothing to report
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(snippets, { force: true });
  }
});
