/**
 * Writes docs/codes.md, the reference of every whole-mesh check, from the table in src/validation/findings.ts.
 * Usage: npm run docs:codes  (a test fails when the committed file is not what this writes)
 */
import * as fs from 'fs';
import * as path from 'path';
import { CHECKS, Severity } from '../src/validation/findings';

export const CODES_FILE = path.resolve(__dirname, '..', 'docs', 'codes.md');

export function codesMarkdown(): string {
  const section = (severity: Severity, heading: string, what: string) => [
    `## ${heading}`,
    '',
    what,
    '',
    '| code | check | fix |',
    '| --- | --- | --- |',
    ...Object.values(CHECKS).filter(c => c.severity === severity).map(c => `| ${c.code} | ${c.title} | ${c.fix} |`),
    '',
  ];
  return [
    '# Check codes',
    '',
    'Generated from `src/validation/findings.ts` by `npm run docs:codes`; do not edit. Every synth names the code of what it reports',
    '(`... [MCM103]`); warnings and notes also go to `lint.json` beside the bundles, where `suppressFinding(construct, code, reason)`',
    'marks them suppressed with the reason instead of reporting them.',
    '',
    ...section(Severity.ERROR, 'Errors', 'The synth stops and writes nothing.'),
    ...section(Severity.WARNING, 'Warnings', 'The synth writes the bundles and says what is likely wrong.'),
    ...section(Severity.NOTE, 'Notes', 'Assumptions to confirm once.'),
  ].join('\n');
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(CODES_FILE), { recursive: true });
  fs.writeFileSync(CODES_FILE, codesMarkdown());
  console.log(`wrote ${path.relative(process.cwd(), CODES_FILE)}`);
}
