import { isScalar, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';
import { compareDocuments } from './compare-documents.js';
import { parseSource, positionOf } from './parse-source.js';
import type { ParsedSource } from './parse-source.js';
import { decodeSource } from './source-text.js';
import type { SourceText } from './source-text.js';
import type { FileProblem, PlannedEdit } from './types.js';

export type FileApplyResult =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly problem: FileProblem };

/**
 * Pure core of applying: splices each edit's replacement into the original bytes, then
 * re-parses both versions and checks that the new file reads exactly like the original with
 * the edited scalars set to their intended values. All or nothing for the file.
 */
export function applyFileEdits(bytes: Uint8Array, edits: readonly PlannedEdit[]): FileApplyResult {
  const file = edits[0]?.file ?? '';
  const fail = (message: string, line?: number, column?: number): FileApplyResult => ({
    ok: false,
    problem: {
      file,
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
      severity: 'error',
      message: `edit not applied, file left as it was: ${message}`,
    },
  });
  const original = decodeSource(bytes);
  if (!original) return fail('not valid UTF-8');
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const overlap = sorted.find((edit, index) => index > 0 && edit.start < sorted[index - 1]!.end);
  if (overlap) return fail('two edits overlap', overlap.line, overlap.column);
  if (sorted.some((edit) => edit.file !== file)) return fail('edits for several files were given together');

  const before = parseSource(original.text, { markers: false });
  if (before.failure) return fail(`the file no longer parses: ${before.failure.message}`);
  const intended = new Map<number, string>();
  for (const edit of sorted) {
    const stale = staleReason(original, before, edit);
    if (stale) return fail(stale, edit.line, edit.column);
    intended.set(original.charIndex(edit.start), edit.new);
  }

  const output = splice(original.bytes, sorted);
  const changed = decodeSource(output);
  if (!changed) return fail('the result is not valid UTF-8');
  const after = parseSource(changed.text, { markers: false });
  if (after.failure) {
    const at = positionOf(after, changed.text, after.failure.offset);
    return fail(`the result does not parse: ${after.failure.message}`, at.line, at.column);
  }
  const mismatch = compareDocuments(before.documents, after.documents, intended);
  if (mismatch) {
    const at = positionOf(after, changed.text, mismatch.offset);
    return fail(`the result does not read as intended: ${mismatch.message}`, at.line, at.column);
  }
  return { ok: true, bytes: output };
}

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

/** Why the planned range no longer holds the planned scalar, if it does not. */
function staleReason(source: SourceText, parsed: ParsedSource, edit: PlannedEdit): string | undefined {
  if (edit.start < 0 || edit.end < edit.start || edit.end > source.bytes.length) return 'the edit lies outside the file';
  const start = source.charIndex(edit.start);
  const end = source.charIndex(edit.end);
  if (start < 0 || end < 0) return 'the edit does not fall on character boundaries';
  const scalar = scalarAt(parsed.documents, start);
  if (!scalar?.range || scalar.range[1] !== end) return 'no scalar at the planned position (the file changed since planning)';
  const current = scalar.source ?? String(scalar.value);
  if (current !== edit.old) return `the scalar holds "${current}", planned from "${edit.old}" (the file changed since planning)`;
  return undefined;
}

function scalarAt(documents: readonly Document.Parsed[], start: number): Scalar | undefined {
  let found: Scalar | undefined;
  for (const document of documents) {
    if (document.range[0] > start || document.range[2] < start) continue;
    visit(document, (_key, node) => {
      if (!isScalar(node) || !node.range || node.range[0] !== start) return undefined;
      found = node;
      return visit.BREAK;
    });
    if (found) return found;
  }
  return found;
}

