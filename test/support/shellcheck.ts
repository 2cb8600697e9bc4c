import { spawnSync } from 'child_process';

/**
 * What ShellCheck finds in a generated script (one `file:line:column: level: message [SCcode]` line each),
 * at every severity: users run these scripts as they are, so a quoting slip is a bug. ShellCheck comes
 * from Debian's shellcheck package, which `.ci/run` installs when the machine lacks it.
 */
export function shellcheckFindings(script: string, name: string): string[] {
  const run = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], { input: script, encoding: 'utf8' });
  if (run.error) throw new Error(`shellcheck cannot run (${run.error.message}): install it (Debian: apt-get install shellcheck)`);
  return run.stdout.split('\n').filter(line => line).map(line => line.replace(/^-:/, `${name}:`));
}

/** The shell blocks of a Markdown file (a cluster README, a VM kit's), as one script. */
export const shellBlocks = (markdown: string) => [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map(m => m[1]).join('');
