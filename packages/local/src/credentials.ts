import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An access key for the embedded stores: what the functions, the server and the CLI sign requests with. */
export interface StoreCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const FILE = 'store-credentials.json';

/** A fresh key pair, shaped like AWS's (20 upper-case characters, 40 of secret). */
export function generateStoreCredentials(): StoreCredentials {
  return {
    accessKeyId: `AKIL${randomBytes(12).toString('hex').slice(0, 16).toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/**
 * The install's own key pair, made on first start and kept in the data dir, readable by its owner only:
 * the embedded stores refuse every request not signed with it, and presigned upload forms are verified
 * against it. Never a fixed, well-known key.
 */
export function loadStoreCredentials(dataDir: string): StoreCredentials {
  const file = join(dataDir, FILE);
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoreCredentials>;
    if (typeof stored.accessKeyId === 'string' && typeof stored.secretAccessKey === 'string') {
      return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
    }
    throw new Error(`${file} is not a key pair: remove it to make a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const credentials = generateStoreCredentials();
  try {
    writeFileSync(file, JSON.stringify(credentials), { mode: 0o600, flag: 'wx' });
    return credentials;
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadStoreCredentials(dataDir);
  }
}

/**
 * The key pair of one principal of an install (a route's function, the job, the operator), derived
 * from the install's key: each signs its store requests with a key of its own, so the stores know
 * who calls and authorise the request against that principal's policy. Derived, not stored: the data
 * dir's one key file (0600) stays the only secret, and nothing derived can be turned back into it.
 */
export function principalCredentials(install: StoreCredentials, principal: string): StoreCredentials {
  const derive = (purpose: string) => createHmac('sha256', install.secretAccessKey).update(`${purpose}\0${principal}`);
  return {
    accessKeyId: `AKIL${derive('access-key-id').digest('hex').slice(0, 16).toUpperCase()}`,
    secretAccessKey: derive('secret-access-key').digest('base64').slice(0, 40),
  };
}
