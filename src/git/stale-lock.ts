/**
 * A git killed mid-operation (SIGKILL, OOM) leaves `*.lock` files that make every later
 * fetch or push fail with "Unable to create '….lock': File exists". A lock older than
 * `staleAfterMs` belongs to no live git (they hold locks for milliseconds), so it is removed
 * and the operation retried once.
 */
import { rm, stat } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import { GitProcessError } from './run.js';

const LOCKED = /Unable to create '([^']+\.lock)': File exists/;

export async function recoverStaleLock<T>(
  task: () => Promise<T>,
  options: { readonly logger: Logger; readonly staleAfterMs?: number; readonly now?: () => number },
): Promise<T> {
  try {
    return await task();
  } catch (error) {
    const lock = error instanceof GitProcessError ? LOCKED.exec(error.stderr)?.[1] : undefined;
    if (lock === undefined) throw error;
    const info = await stat(lock).catch(() => undefined);
    const age = info === undefined ? Number.POSITIVE_INFINITY : (options.now ?? Date.now)() - info.mtimeMs;
    if (age < (options.staleAfterMs ?? 30_000)) throw error;
    options.logger.warn(
      { lock, ageMs: Math.round(age) },
      'removing a stale git lock left by a killed process',
    );
    await rm(lock, { force: true });
    return task();
  }
}
