import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The PATH a newcomer's shell has: this one without the folders npm adds for its scripts
 * (every `…/node_modules/.bin`), so `node` is the machine's own, not the project's Node 24.
 */
export function machinePath(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.includes('node_modules'))
    .join(delimiter);
}

/** The machine's own `node` and its version, or undefined when the machine has none. */
export function machineNode(): { path: string; version: string } | undefined {
  for (const dir of machinePath().split(delimiter)) {
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
    return { path: candidate, version };
  }
  return undefined;
}
