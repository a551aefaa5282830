import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './io.ts';

/**
 * The secret in a file readable by its owner only (as ssh insists of its keys), without the line end an
 * editor or `echo` leaves.
 */
export function readSecretFile(file: string, option = '--jwt-secret-file'): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new UsageError(`${option} ${file} is open to other users: chmod 600 it`);
  }
  return text.replace(/\r?\n$/, '');
}
