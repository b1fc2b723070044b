import { resolve } from 'node:path';

/**
 * Where the local runtime keeps what must survive a restart: DynamoDB Local's files, the token
 * signing key and the stream reader's checkpoints. `.local/` at the repository root (git-ignored);
 * `LOCAL_DATA_DIR` points elsewhere, so tests never touch a developer's data.
 */
export function localDataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LOCAL_DATA_DIR || resolve(__dirname, '..', '.local'));
}
