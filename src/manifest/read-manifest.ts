import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ManifestFile } from './list-files.js';
import { MARKER_WORD } from './marker-sites.js';
import type { FileProblem } from './types.js';
import { messageOf } from '../errors.js';

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const MARKER_BYTES = Buffer.from(MARKER_WORD);

export type ReadOutcome =
  /** The file holds the marker word and is worth parsing. */
  | { readonly kind: 'marked'; readonly bytes: Buffer }
  /** Read and looked at; nothing to do. */
  | { readonly kind: 'unmarked' }
  /** Not looked at (too large, binary, unreadable); a problem says why when it matters. */
  | { readonly kind: 'skipped'; readonly problem?: FileProblem };

/**
 * Reads one manifest within the size limit and applies the cheap filters: only files whose
 * bytes contain `$imagepolicy` go on to the parser, and a NUL byte marks a file as binary.
 * Blocking: on a small file that is several times cheaper than fs/promises' threadpool round
 * trips; callers run it on worker threads, or on this one in slices (map-in-slices.ts).
 */
export function readManifest(entry: ManifestFile, maxBytes: number): ReadOutcome {
  let bytes: Buffer | undefined;
  try {
    bytes = readBounded(entry.absolute, maxBytes);
  } catch (error) {
    return skipped(entry, `cannot be read: ${messageOf(error)}`);
  }
  if (bytes === undefined) return skipped(entry, `larger than ${maxBytes} bytes; skipped`);
  if (bytes.indexOf(MARKER_BYTES) < 0) return { kind: 'unmarked' };
  if (bytes.indexOf(0) >= 0) return skipped(entry, 'binary file (holds NUL bytes); skipped');
  return { kind: 'marked', bytes };
}

/** The file's bytes; undefined when it is larger than `maxBytes`. */
export function readBounded(path: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const info = fstatSync(fd);
    if (info.size > maxBytes) return undefined;
    const buffer = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < info.size) {
      const bytesRead = readSync(fd, buffer, filled, info.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === info.size ? buffer : buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

function skipped(entry: ManifestFile, message: string): ReadOutcome {
  return { kind: 'skipped', problem: { code: 'skipped', file: entry.file, severity: 'warning', message } };
}
