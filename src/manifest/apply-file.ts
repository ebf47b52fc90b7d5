import { Scalar, visit } from 'yaml-next';
import type { Document } from 'yaml-next';
import { compareLexemes, lex } from './lexemes.js';
import type { Lexeme, TokenEdit } from './lexemes.js';
import { parseSource, positionOf } from './parse-source.js';
import { splice } from './splice.js';
import { decodeSource } from './source-text.js';
import type { FileProblem, PlannedEdit } from './types.js';
import { confirmByFingerprint, readScalar } from './verify-tokens.js';

export type FileApplyResult =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly problem: FileProblem };

/**
 * Pure core of applying: splices each edit's replacement into the original bytes, then
 * verifies the result before anyone writes it. The new file's token stream must equal the
 * original's everywhere but the edited scalars, and each edited scalar must read as its
 * intended value, so the file reads as the original with only the targets substituted.
 * With the planned `fingerprint` (from `ManifestPlan.fingerprints`) that is shown from the
 * new file's tokens alone when they match it (see verify-tokens.ts); otherwise, or on any
 * doubt, the new file is parsed and composed in full, which also says what is wrong.
 * All or nothing for the file.
 */
export function applyFileEdits(
  bytes: Uint8Array,
  edits: readonly PlannedEdit[],
  fingerprint?: string,
): FileApplyResult {
  const file = edits[0]?.file ?? '';
  const fail = (
    message: string,
    at?: { readonly line: number; readonly column: number },
  ): FileApplyResult => ({
    ok: false,
    problem: {
      code: 'verify-failed',
      file,
      ...(at ? { line: at.line, column: at.column } : {}),
      severity: 'error',
      message: `edit not applied, file left as it was: ${message}`,
    },
  });
  const original = decodeSource(bytes);
  if (!original) return fail('not valid UTF-8');
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  if (sorted.some((edit) => edit.file !== file)) return fail('edits for several files were given together');
  const overlap = sorted.find((edit, index) => index > 0 && edit.start < sorted[index - 1]!.end);
  if (overlap) return fail('two edits overlap', overlap);

  const ranges = new Map<number, TokenEdit & { readonly edit: PlannedEdit }>();
  for (const edit of sorted) {
    const start = original.charIndex(edit.start);
    const end = original.charIndex(edit.end);
    if (edit.start < 0 || edit.end > original.bytes.length || start < 0 || end < start) {
      return fail('the edit does not fall on character boundaries (the file changed since planning)', edit);
    }
    ranges.set(start, { start, end, edit });
  }
  if (fingerprint !== undefined) {
    const confirmed = confirmByFingerprint(original, sorted, ranges, fingerprint);
    if (confirmed) return { ok: true, bytes: confirmed };
  }
  const before = lex(original.text);
  const stale = staleEdit(before.lexemes, ranges);
  if (stale) return fail(`${stale.message} (the file changed since planning)`, stale.edit);

  const output = splice(original.bytes, sorted);
  const changed = decodeSource(output);
  if (!changed) return fail('the result is not valid UTF-8');
  const after = lex(changed.text);
  const parsed = parseSource(changed.text, { markers: false, lexemes: after.raw });
  const where = (offset: number): { line: number; column: number } =>
    positionOf(parsed, changed.text, offset);
  if (parsed.failure)
    return fail(`the result does not parse: ${parsed.failure.message}`, where(parsed.failure.offset));
  const comparison = compareLexemes(before.lexemes, after.lexemes, ranges);
  if (!comparison.ok) return fail(comparison.message, where(comparison.offset));
  const intended = new Map<number, string>();
  for (const [start, range] of ranges) intended.set(comparison.editedAt.get(start)!, range.edit.new);
  const wrong = checkValues(parsed.documents, intended);
  if (wrong) return fail(wrong.message, where(wrong.offset));
  return { ok: true, bytes: output };
}

/** The first edit whose range no longer holds one scalar with the planned old value. */
function staleEdit(
  lexemes: readonly Lexeme[],
  ranges: ReadonlyMap<number, TokenEdit & { readonly edit: PlannedEdit }>,
): { edit: PlannedEdit; message: string } | undefined {
  const seen = new Set<number>();
  for (const lexeme of lexemes) {
    const range = lexeme.scalar ? ranges.get(lexeme.offset) : undefined;
    if (!range) continue;
    seen.add(lexeme.offset);
    const value = readScalar(lexeme.source);
    if (lexeme.offset + lexeme.source.length !== range.end || value !== range.edit.old) {
      return {
        edit: range.edit,
        message: `the scalar at the planned position no longer holds "${range.edit.old}"`,
      };
    }
  }
  for (const range of ranges.values()) {
    if (!seen.has(range.start)) return { edit: range.edit, message: 'no scalar at the planned position' };
  }
  return undefined;
}

/** Each edited scalar (by its start in the new text) is a value that now reads as intended. */
function checkValues(
  documents: readonly Document.Parsed[],
  intended: ReadonlyMap<number, string>,
): { offset: number; message: string } | undefined {
  let problem: { offset: number; message: string } | undefined;
  let met = 0;
  for (const document of documents) {
    visit(document, (key, node) => {
      if (!(node instanceof Scalar) || !node.range || !intended.has(node.range[0])) return undefined;
      const wanted = intended.get(node.range[0]);
      met += 1;
      if (key === 'key') problem = { offset: node.range[0], message: 'an edit landed on a mapping key' };
      else if (node.value !== wanted) {
        problem = {
          offset: node.range[0],
          message: `the edited value reads back as ${JSON.stringify(node.value)}`,
        };
      }
      return problem ? visit.BREAK : undefined;
    });
    if (problem) return problem;
  }
  return met === intended.size
    ? undefined
    : { offset: 0, message: 'an edited scalar is not a value in the result' };
}
