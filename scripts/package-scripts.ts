import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repositoryRoot = resolve(__dirname, '..');

/**
 * The arguments Node.js runs an `npm run <script>` with, from package.json, so a test or the
 * benchmark spawns exactly what an operator runs, without npm in between. The scripts spawned are
 * `node --import tsx <file>`: Node itself runs the TypeScript (tsx as a loader) in one process,
 * so a signal reaches the script. The tsx CLI would run it in a child of its own and relay a
 * SIGTERM, killing with SIGKILL a child that does not acknowledge it within 30 ms (a busy machine).
 */
export function nodeArgumentsOf(script: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string | undefined>;
  };
  const command = scripts[script];
  if (command === undefined) throw new Error(`package.json has no script "${script}"`);
  const [program, ...args] = command.split(' ');
  if (program !== 'node')
    throw new Error(`npm run ${script} runs "${program}", not node: it cannot be spawned as it runs`);
  return args;
}
