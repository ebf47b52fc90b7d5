import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ManifestFile } from './list-files.js';
import type { FileProblem } from './types.js';

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
const MARKER_WORD = Buffer.from('$imagepolicy');

export type ReadOutcome =
  /** The file holds the marker word and is worth parsing. */
  | { readonly kind: 'marked'; readonly bytes: Buffer; readonly mode: number }
  /** Read and looked at; nothing to do. */
  | { readonly kind: 'unmarked' }
  /** Not looked at (too large, binary, unreadable); a problem says why when it matters. */
  | { readonly kind: 'skipped'; readonly problem?: FileProblem };

/**
 * Reads one manifest within the size limit and applies the cheap filters: only files whose
 * bytes contain `$imagepolicy` go on to the parser, and a NUL byte marks a file as binary.
 */
export async function readManifest(entry: ManifestFile, maxBytes: number): Promise<ReadOutcome> {
  const read = await readBounded(entry.absolute, maxBytes).catch((error: unknown) => error as Error);
  return classify(entry, read, maxBytes);
}

/** `readManifest` for worker threads, where blocking reads are cheaper than the threadpool's round trips. */
export function readManifestSync(entry: ManifestFile, maxBytes: number): ReadOutcome {
  let read: { bytes: Buffer; mode: number } | undefined | Error;
  try {
    read = readBoundedSync(entry.absolute, maxBytes);
  } catch (error) {
    read = error as Error;
  }
  return classify(entry, read, maxBytes);
}

function classify(
  entry: ManifestFile,
  read: { bytes: Buffer; mode: number } | undefined | Error,
  maxBytes: number,
): ReadOutcome {
  if (read instanceof Error) return skipped(entry, `cannot be read: ${read.message}`);
  if (read === undefined) return skipped(entry, `larger than ${maxBytes} bytes; skipped`);
  if (read.bytes.indexOf(MARKER_WORD) < 0) return { kind: 'unmarked' };
  if (read.bytes.indexOf(0) >= 0) return skipped(entry, 'binary file (holds NUL bytes); skipped');
  return { kind: 'marked', ...read };
}

/** The file's bytes and mode; undefined when it is larger than `maxBytes`. */
export async function readBounded(
  path: string,
  maxBytes: number,
): Promise<{ bytes: Buffer; mode: number } | undefined> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (info.size > maxBytes) return undefined;
    return { bytes: await readAll(handle, info.size), mode: info.mode };
  } finally {
    await handle.close();
  }
}

export function readBoundedSync(path: string, maxBytes: number): { bytes: Buffer; mode: number } | undefined {
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
    return { bytes: filled === info.size ? buffer : buffer.subarray(0, filled), mode: info.mode };
  } finally {
    closeSync(fd);
  }
}

/** Reads `size` bytes (fewer if the file shrank); one fstat fewer than `FileHandle.readFile`. */
async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}

function skipped(entry: ManifestFile, message: string): ReadOutcome {
  return { kind: 'skipped', problem: { code: 'skipped', file: entry.file, severity: 'warning', message } };
}
