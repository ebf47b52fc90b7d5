import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `bytes` so that a reader sees the old file or the new one, never half
 * of it: write a temporary file in the same folder with the same permission bits, then rename.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, mode: number): void {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.drawbridge-${randomBytes(6).toString('hex')}.tmp`,
  );
  const permissions = mode & 0o7777;
  try {
    const fd = openSync(temporary, 'wx', permissions);
    try {
      for (let written = 0; written < bytes.byteLength;) {
        written += writeSync(fd, bytes, written, bytes.byteLength - written);
      }
      // The umask may have narrowed the bits given to open.
      fchmodSync(fd, permissions);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
