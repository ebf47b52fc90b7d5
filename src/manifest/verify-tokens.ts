import { CST, Scalar, parseDocument } from 'yaml-next';
import { eachLexeme } from './lexemes.js';
import type { TokenEdit } from './lexemes.js';
import type { SourceText } from './source-text.js';
import { decodeSource } from './source-text.js';
import { splice } from './splice.js';
import { recordShapes, tokenFingerprint } from './token-fingerprint.js';
import type { PlannedEdit } from './types.js';

/**
 * The new bytes when the edits are confirmed from the new file's tokens alone; undefined
 * when that cannot be shown, and the caller then parses and composes the file in full.
 *
 * Why that is enough:
 * - Planning parsed and composed the file without errors and fingerprinted its token stream
 *   with the edited scalars masked (`tokenFingerprint`). The new file's token stream, with
 *   the scalars at the edited positions masked, has the same fingerprint: so it is the
 *   planned stream token for token, except that each planned edited scalar is now exactly
 *   one other flow scalar token. (The file may have changed since planning only inside
 *   those scalars; each must still hold the edit's old value, else the full path reports it.)
 * - The `yaml` Parser builds its CST from token types and the sources of non-scalar tokens
 *   (a scalar's source only moves offsets and line counts, and the three flow scalar types
 *   are handled alike), so the new CST has the planned shape with the new scalars in place.
 * - The Composer reads a scalar's source to resolve its value and, for implicit keys and
 *   multi-line flow collections, to see whether it holds a line break. The edited scalars
 *   were values when planned, and each new one must sit on one line, so no structural check
 *   can newly fail; every other node composes as before.
 * - What remains is each edited node's own value. With no tag on the node and no `%YAML`
 *   directive in the file (both send the caller to the full path), a quoted scalar reads as
 *   the string `CST.resolveAsScalar` gives, and a plain one as that string only when the
 *   core schema resolves it to a string, which composing it alone shows.
 * So the new file parses to the planned documents with only the edited values replaced,
 * each holding its intended value: what the full re-parse confirms, for the cost of lexing.
 */
export function confirmByFingerprint(
  original: SourceText,
  sorted: readonly PlannedEdit[],
  ranges: ReadonlyMap<number, TokenEdit & { readonly edit: PlannedEdit }>,
  fingerprint: string,
): Buffer | undefined {
  const wanted = new Map<number, PlannedEdit>();
  let shift = 0;
  for (const range of ranges.values()) {
    if (readScalar(original.text.slice(range.start, range.end)) !== range.edit.old) return undefined;
    wanted.set(range.start + shift, range.edit);
    shift += range.edit.replacement.length - (range.end - range.start);
  }
  const output = splice(original.bytes, sorted);
  const changed = decodeSource(output);
  if (!changed) return undefined;
  const shapes = recordShapes();
  // Whether a tag stands before the next token, with only space, breaks, comments and anchors between.
  let tagged = false;
  const confirmed = eachLexeme(
    changed.text,
    (source, offset, scalar) => {
      const first = source.charCodeAt(0);
      if (first === PERCENT) return false;
      const edit = scalar ? wanted.get(offset) : undefined;
      if (edit && (tagged || !readsAs(source, edit.new))) return false;
      tagged = first === EXCLAMATION || (tagged && KEEPS_TAG.test(source));
      return true;
    },
    (source) => shapes.add(source),
  );
  if (!confirmed) return undefined;
  if (tokenFingerprint(shapes.codes, changed.text, new Set(wanted.keys())) !== fingerprint) return undefined;
  return output;
}

const PERCENT = 0x25;
const EXCLAMATION = 0x21;

/** Tokens that may stand between a tag and its node: space, a line break, a comment, an anchor. */
const KEEPS_TAG = /^(?:[ \t]+|\r?\n|#.*|&.*)$/s;

/** A one-line flow scalar that the core schema reads as exactly `intended`. */
function readsAs(source: string, intended: string): boolean {
  if (/[\r\n]/.test(source) || readScalar(source) !== intended) return false;
  if (source.startsWith('"') || source.startsWith("'")) return true;
  const alone = parseDocument(source);
  return alone.errors.length === 0 && alone.value instanceof Scalar && alone.value.value === intended;
}

/** The string a flow scalar's source reads as; undefined when it has errors. */
export function readScalar(source: string): string | undefined {
  const type = source.startsWith('"')
    ? 'double-quoted-scalar'
    : source.startsWith("'")
      ? 'single-quoted-scalar'
      : 'scalar';
  let failed = false;
  const token: CST.FlowScalar = { type, offset: 0, indent: 0, source };
  const resolved = CST.resolveAsScalar(token, true, () => {
    failed = true;
  });
  return failed ? undefined : resolved.value;
}
