import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `npm start` runs this process as npm → sh → tsx → node. A SIGTERM sent to npm alone is
 * forwarded to the shell, which dies without passing it on: tsx and this process would live on,
 * with DynamoDB Local, as orphans. So the runtime watches the processes that launched it and
 * stops as soon as one of them is gone — the same clean stop as on SIGTERM.
 */
export function watchLaunchers(onGone: (pid: number) => void, intervalMs = 1000): () => void {
  const chain = launcherChain();
  const timer = setInterval(() => {
    const gone = chain.find((pid) => !isRunning(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The direct parent (tsx), and — when npm started the script — every ancestor up to and
 * including npm itself. Beyond npm (a shell, a terminal, a test runner) is not ours to follow.
 */
export function launcherChain(env: NodeJS.ProcessEnv = process.env): number[] {
  const chain = [process.ppid];
  if (!env.npm_lifecycle_event) return chain;
  const ancestors: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    const info = processInfo(pid);
    if (!info) break;
    ancestors.push(pid);
    if (/(^|[\s/])npm(-cli\.js)?(\s|$)/.test(info.args)) return ancestors;
    pid = info.ppid;
  }
  return chain;
}

function processInfo(pid: number): { ppid: number; args: string } | undefined {
  try {
    // Linux: no child process needed. Fields after the parenthesised name: state, ppid, …
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { ppid, args };
  } catch {
    // macOS and other systems without /proc.
  }
  try {
    const line = execFileSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const match = /^(\d+)\s+(.*)$/.exec(line);
    return match ? { ppid: Number(match[1]), args: match[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
