import { CST, isScalar, parseDocument } from 'yaml';
import type { Lexeme } from './lexemes.js';

/**
 * Why checking tokens is enough when the original text is known to parse (it is the very
 * text `planFileEdits` parsed without errors; the caller checks its digest):
 *
 * - `compareLexemes` has shown that both token streams are equal except that each edited
 *   scalar is still exactly one flow scalar token. The `yaml` Parser builds its CST from
 *   token types and the sources of non-scalar tokens only (a scalar's source matters for
 *   offsets and line counting, and the three flow scalar types are handled alike), so the
 *   new CST has the same shape with the new scalar sources in place.
 * - The Composer looks at a scalar's source when resolving its value and, for implicit keys
 *   and multi-line flow collections, whether it holds a line break. Edited scalars are values
 *   (checked when planning, on these same bytes), and here each new source must be on one
 *   line, so no structural check can newly fail; every other node composes as before.
 * - What remains is the edited nodes' own values. Without a tag on the node and without a
 *   `%YAML` directive (both send the caller to the full re-parse), a quoted scalar reads as
 *   the string `CST.resolveAsScalar` returns, and a plain one as that string only when the
 *   core schema resolves it to a string, which composing it alone shows.
 *
 * So the new file parses to the original documents with only the edited values replaced,
 * which is what a full re-parse would confirm, at the cost of lexing alone.
 */

/** The fast check can stand in for a full re-parse: no directive in the file, no tag on an edited node. */
export function tokensSuffice(lexemes: readonly Lexeme[], editedIndices: Iterable<number>): boolean {
  if (lexemes.some((lexeme) => lexeme.source.startsWith('%'))) return false;
  for (const index of editedIndices) {
    if (hasTag(lexemes, index)) return false;
  }
  return true;
}

/** Walks back over the node's properties (anchors, tags) and the space, breaks and comments between them. */
function hasTag(lexemes: readonly Lexeme[], index: number): boolean {
  for (let at = index - 1; at >= 0; at -= 1) {
    const source = lexemes[at]!.source;
    if (source.startsWith('!')) return true;
    if (!/^(?:[ \t]+|\r?\n|#.*|&.*)$/s.test(source)) return false;
  }
  return false;
}

/** Undefined when the scalar token reads as exactly `intended`, else why not. */
export function scalarMismatch(lexeme: Lexeme, intended: string): string | undefined {
  if (/[\r\n]/.test(lexeme.source)) return 'the new value spans lines';
  const type = lexeme.source.startsWith('"')
    ? 'double-quoted-scalar'
    : lexeme.source.startsWith("'")
      ? 'single-quoted-scalar'
      : 'scalar';
  const token: CST.FlowScalar = { type, offset: 0, indent: 0, source: lexeme.source };
  let error: string | undefined;
  const { value } = CST.resolveAsScalar(token, true, (_offset, _code, message) => {
    error ??= message;
  });
  if (error !== undefined) return `the new value does not read cleanly: ${error}`;
  if (value !== intended) return `the edited value reads back as ${JSON.stringify(value)}`;
  if (type !== 'scalar') return undefined;
  const alone = parseDocument(lexeme.source);
  const read: unknown = isScalar(alone.contents) ? alone.contents.value : undefined;
  if (alone.errors.length > 0 || read !== intended) {
    return `the edited value reads back as ${JSON.stringify(read)}`;
  }
  return undefined;
}
