import { open } from 'node:fs/promises';
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
  const handle = await open(entry.absolute, 'r').catch((error: unknown) => error as Error);
  if (handle instanceof Error) return skipped(entry, `cannot be read: ${handle.message}`);
  try {
    const info = await handle.stat();
    if (info.size > maxBytes) return skipped(entry, `larger than ${maxBytes} bytes; skipped`);
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) return skipped(entry, `larger than ${maxBytes} bytes; skipped`);
    if (bytes.indexOf(MARKER_WORD) < 0) return { kind: 'unmarked' };
    if (bytes.indexOf(0) >= 0) return skipped(entry, 'binary file (holds NUL bytes); skipped');
    return { kind: 'marked', bytes, mode: info.mode };
  } catch (error) {
    return skipped(entry, `cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await handle.close();
  }
}

function skipped(entry: ManifestFile, message: string): ReadOutcome {
  return { kind: 'skipped', problem: { file: entry.file, severity: 'warning', message } };
}
