import { parseArgs } from 'node:util';
import { canonicalTimeZone } from '../definitions/authentication';
import { MAX_USER_ID_LENGTH, isUsableUserId } from '../functions/measurements/model/user-id';
import { DEFAULT_TOKEN_TTL_SECONDS, loadOrCreateSigningKey, signLocalToken } from './local-auth';
import { localDataDirectory } from './local-data';

/**
 * `npm run --silent token -- <userId> [--ttl <seconds>] [--tz <IANA zone>]`: a bearer token the
 * local server accepts for that user (with `--tz`, its `zoneinfo` claim), as the last (and only)
 * line of standard output.
 */
const USAGE = 'Usage: npm run --silent token -- <userId> [--ttl <seconds>] [--tz <IANA time zone>]';

function parse(argv: string[]): { userId: string; ttlSeconds: number; timeZone?: string } | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ttl: { type: 'string' }, tz: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return (error as Error).message;
  }
  const [userId, ...extra] = parsed.positionals;
  if (!userId || extra.length > 0) return 'Give exactly one user id.';
  if (!isUsableUserId(userId))
    return `The user id must be 1–${MAX_USER_ID_LENGTH} characters of well-formed text without "#".`;
  const ttlSeconds = parsed.values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : Number(parsed.values.ttl);
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
    return '--ttl must be a positive whole number of seconds.';
  if (parsed.values.tz === undefined) return { userId, ttlSeconds };
  const timeZone = canonicalTimeZone(parsed.values.tz);
  if (timeZone === undefined)
    return `--tz must be an IANA time zone such as Europe/Berlin, got "${parsed.values.tz}".`;
  return { userId, ttlSeconds, timeZone };
}

async function main(): Promise<number> {
  const request = parse(process.argv.slice(2));
  if (typeof request === 'string') {
    process.stderr.write(`${request}\n${USAGE}\n`);
    return 2;
  }
  const key = await loadOrCreateSigningKey(localDataDirectory());
  const token = await signLocalToken(request.userId, key, {
    ttlSeconds: request.ttlSeconds,
    timeZone: request.timeZone,
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`Could not mint a token: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
