import { spawn } from 'node:child_process';
import { nodeArgumentsOf, repositoryRoot } from '../../scripts/package-scripts';

/**
 * An operator tool run as an operator runs it: `npm run <tool> -- <args>`, spawned with the
 * command package.json gives the script (one Node.js process running the TypeScript, no npm and
 * no tsx CLI in between), so its exit code, its standard output and error, and a signal sent to
 * it are the tool's own.
 */

/** The operator tools' npm scripts (docs/data-lifecycle.md, "Running the tools"). */
export type OperatorToolName =
  'export-user' | 'import-user' | 'erase-user' | 'audit-ref' | 'rebuild-aggregates';

export interface ToolRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of standard output, parsed (the summary). */
  summary(): any;
}

export interface RunningTool {
  readonly done: Promise<ToolRun>;
  /** A hard kill (SIGKILL), as when the tool's machine dies. */
  kill(): void;
}

export interface ToolOptions {
  /** The tool's whole environment (the test's own by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** Standard error so far, each time more of it arrives (progress as it comes). */
  readonly onStderr?: (stderrSoFar: string) => void;
}

export function startTool(
  tool: OperatorToolName,
  args: readonly string[],
  { env = process.env, onStderr }: ToolOptions = {},
): RunningTool {
  const child = spawn(process.execPath, [...nodeArgumentsOf(tool), ...args], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    onStderr?.(stderr);
  });
  const done = new Promise<ToolRun>((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolveRun({
        code,
        signal,
        stdout,
        stderr,
        summary: () => JSON.parse(stdout.trim().split('\n').at(-1)!),
      }),
    );
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

/** Runs the tool to its end. */
export function runTool(
  tool: OperatorToolName,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolRun> {
  return startTool(tool, args, options).done;
}
