import { CST, isScalar, visit } from 'yaml';
import type { Document } from 'yaml';
import { compareLexemes, lex } from './lexemes.js';
import type { Lexed, Lexeme, TokenEdit } from './lexemes.js';
import { fileDigest } from './file-digest.js';
import { parseSource, positionInText, positionOf } from './parse-source.js';
import { decodeSource } from './source-text.js';
import type { FileProblem, PlannedEdit } from './types.js';
import { scalarMismatch, tokensSuffice } from './verify-tokens.js';

export type FileApplyResult =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly problem: FileProblem };

/**
 * Pure core of applying: splices each edit's replacement into the original bytes, then
 * verifies the result before anyone writes it. The new file's token stream must equal the
 * original's everywhere but the edited scalars, and each edited scalar must read as its
 * intended value, so the file reads as the original with only the targets substituted.
 * When `plannedDigest` (from `ManifestPlan.fileDigests`) is the digest of these very bytes,
 * they are the text planning parsed without errors, and that is shown from the tokens (see verify-tokens.ts); otherwise the new file is parsed
 * and composed in full. All or nothing for the file.
 */
export function applyFileEdits(
  bytes: Uint8Array,
  edits: readonly PlannedEdit[],
  plannedDigest?: string,
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
  const before = lex(original.text);
  const stale = staleEdit(before.lexemes, ranges);
  if (stale) return fail(`${stale.message} (the file changed since planning)`, stale.edit);

  const output = splice(original.bytes, sorted);
  const changed = decodeSource(output);
  if (!changed) return fail('the result is not valid UTF-8');
  const after = lex(changed.text);
  if (plannedDigest === undefined || fileDigest(original.bytes) !== plannedDigest)
    return verifyByParsing(changed.text, after, before.lexemes, ranges, fail, output);
  const comparison = compareLexemes(before.lexemes, after.lexemes, ranges);
  const where = (offset: number): { line: number; column: number } => positionInText(changed.text, offset);
  if (!comparison.ok) return fail(comparison.message, where(comparison.offset));
  if (!tokensSuffice(before.lexemes, comparison.editedIndex.values())) {
    return verifyByParsing(changed.text, after, before.lexemes, ranges, fail, output);
  }
  for (const [start, range] of ranges) {
    const scalar = after.lexemes[comparison.editedIndex.get(start)!]!;
    const mismatch = scalarMismatch(scalar, range.edit.new);
    if (mismatch) return fail(mismatch, where(scalar.offset));
  }
  return { ok: true, bytes: output };
}

/**
 * The full check, for a file not known to parse (changed since planning, or edits made by
 * hand) and for edited nodes with a tag: parse and compose the new file, then read the values.
 */
function verifyByParsing(
  text: string,
  after: Lexed,
  before: readonly Lexeme[],
  ranges: ReadonlyMap<number, TokenEdit & { readonly edit: PlannedEdit }>,
  fail: (message: string, at?: { readonly line: number; readonly column: number }) => FileApplyResult,
  output: Buffer,
): FileApplyResult {
  const parsed = parseSource(text, { markers: false, lexemes: after.raw });
  const where = (offset: number): { line: number; column: number } => positionOf(parsed, text, offset);
  if (parsed.failure)
    return fail(`the result does not parse: ${parsed.failure.message}`, where(parsed.failure.offset));
  const comparison = compareLexemes(before, after.lexemes, ranges);
  if (!comparison.ok) return fail(comparison.message, where(comparison.offset));
  const intended = new Map<number, string>();
  for (const [start, range] of ranges) intended.set(comparison.editedAt.get(start)!, range.edit.new);
  const wrong = checkValues(parsed.documents, intended);
  if (wrong) return fail(wrong.message, where(wrong.offset));
  return { ok: true, bytes: output };
}

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
    const value = scalarValue(lexeme);
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

function scalarValue(lexeme: Lexeme): string | undefined {
  const type = lexeme.source.startsWith('"')
    ? 'double-quoted-scalar'
    : lexeme.source.startsWith("'")
      ? 'single-quoted-scalar'
      : 'scalar';
  let failed = false;
  const token: CST.FlowScalar = { type, offset: lexeme.offset, indent: 0, source: lexeme.source };
  const resolved = CST.resolveAsScalar(token, true, () => {
    failed = true;
  });
  return failed ? undefined : resolved.value;
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
      if (!isScalar(node) || !node.range || !intended.has(node.range[0])) return undefined;
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
