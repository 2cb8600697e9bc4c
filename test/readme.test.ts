import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

test('README\'s TypeScript snippets compile, together, against the library', () => {
  // GIVEN every ```ts block of the README, in order: together they are one program
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const program = blocks.join('\n').replace(/from 'cdk8s-istio-multicluster'/g, `from '${path.join(ROOT, 'src')}'`);

  // WHEN it is type-checked with the project's own compiler options
  const file = path.join(ROOT, 'test', '.readme-snippets.ts');
  fs.writeFileSync(file, program);
  try {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const compiled = ts.createProgram([file], { ...config.options, noEmit: true, noUnusedLocals: false });
    const diagnostics = ts.getPreEmitDiagnostics(compiled)
      .map(d => `${d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

    // THEN there is nothing to report
    expect(diagnostics).toEqual([]);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
