import { stat } from 'node:fs/promises';

/** Whether something is at `path` (following symlinks). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
