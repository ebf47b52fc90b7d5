/**
 * Calls back when the config file's content changes. Watches the folder, not the file:
 * editors replace files by rename and Kubernetes swaps a ConfigMap's `..data` symlink, both
 * of which a watch on the file itself would miss.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log/logger.js';

export interface ConfigWatch {
  close(): void;
}

export async function watchConfigFile(
  file: string,
  onChange: () => void,
  logger: Logger,
  debounceMs = 300,
): Promise<ConfigWatch> {
  let last = await fingerprint(file);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const name = basename(file);
  const check = async (): Promise<void> => {
    const now = await fingerprint(file);
    if (closed || now === undefined || now === last) return;
    last = now;
    onChange();
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(timer);
      timer = setTimeout(() => void check(), debounceMs);
    });
  } catch (error) {
    logger.warn({ err: error, file }, 'cannot watch the config file; reload with SIGHUP');
    return { close() {} };
  }
  watcher.on('error', (error) => logger.warn({ err: error, file }, 'config file watch failed'));
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}

async function fingerprint(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    return undefined;
  }
}
