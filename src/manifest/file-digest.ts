import { createHash } from 'node:crypto';

/** SHA-256 (hex) of a file's bytes: ties a plan to the exact text it was parsed from. */
export function fileDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
