import type { PlannedEdit } from './types.js';

/** Replaces `[start, end)` of each edit (sorted, not overlapping) with its replacement. */
export function splice(bytes: Buffer, sorted: readonly PlannedEdit[]): Buffer {
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const edit of sorted) {
    parts.push(bytes.subarray(cursor, edit.start), Buffer.from(edit.replacement, 'utf8'));
    cursor = edit.end;
  }
  parts.push(bytes.subarray(cursor));
  return Buffer.concat(parts);
}
